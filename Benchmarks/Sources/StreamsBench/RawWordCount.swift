import RdKafka

/// Row `raw-wordcount`: the word count written by hand on `RdKafka`, with the data flow of the DSL
/// topology: split lines, send each word to a repartition topic keyed by the word, read it back,
/// count in a `Dictionary`, send every updated count. The limit for stateful work. (It has no
/// store and no changelog: the DSL rows also write one changelog record per word.)
enum RawWordCount {
    static let name = "raw-wordcount"

    static func run(_ context: BenchContext) throws -> RowRun {
        let input = context.input
        let repartition = context.topic(name, "repartition")
        let output = context.topic(name, "output")
        try context.broker.createTopic(repartition, partitions: input.partitions)
        try context.broker.createTopic(output, partitions: input.partitions)
        let groupID = context.groupID(name)
        let loop = startLoop(context, groupID: groupID, input: input.topic, repartition: repartition, output: output)
        var run = try context.waitForOutputs(topic: output, expected: input.wordCount, watched: [repartition], loop: loop)
        let counts = try loop.stop(timeout: .seconds(60))
        try context.expect(counts["input"] == input.recordCount, "\(name) read \(counts["input"] ?? 0) lines, expected \(input.recordCount)")
        try context.expect(counts["repartition"] == input.wordCount, "\(name) read \(counts["repartition"] ?? 0) words, expected \(input.wordCount)")
        try context.watcher.checkNothingDeleted(topics: [input.topic, repartition, output], partitions: input.partitions)
        try context.watcher.checkConsumedAll(groupID: groupID, topic: input.topic, partitions: input.partitions, expected: input.recordCount)
        try context.watcher.checkConsumedAll(groupID: groupID, topic: repartition, partitions: input.partitions, expected: input.wordCount)
        try context.checkWordCounts(topic: output)
        // The latency phase's loop starts with an empty Dictionary (counts restart at 1): its
        // outputs are only timed, not checked.
        if let latency = try context.loopLatency(row: name, output: output, outputs: .perWord, start: {
            startLoop(context, groupID: groupID, input: $0, repartition: repartition, output: output)
        }) {
            let stats = latency.stats
            try context.expect(
                latency.counts["input"] == stats.inputRecords && latency.counts["repartition"] == stats.inputWords,
                "\(name) read \(latency.counts["input"] ?? 0) latency lines and \(latency.counts["repartition"] ?? 0) words, "
                    + "expected \(stats.inputRecords) and \(stats.inputWords)")
            run.latency = stats
        }
        return run
    }

    private static func startLoop(
        _ context: BenchContext, groupID: String, input: String, repartition: String, output: String
    ) -> BackgroundLoop {
        let settings = context.settings
        let partitions = context.input.partitions
        return BackgroundLoop.start(name: name) { control in
            let raw = try RawLoop(settings: settings, groupID: groupID, topics: [input, repartition], outputs: [repartition, output], partitions: partitions)
            let repartitionTopic = try raw.topic(repartition)
            let outputTopic = try raw.topic(output)
            var counts: [String: Int64] = [:]
            var lines = 0
            var words = 0
            try raw.run(control) { message in
                let timestamp = message.timestamp
                if message.topic == input {
                    guard let value = message.value else { return 0 }
                    lines += 1
                    for var word in Words.split(String(decoding: value, as: UTF8.self)) {
                        try word.withUTF8 { bytes in
                            let word = UnsafeRawBufferPointer(bytes)
                            try raw.send(to: repartitionTopic, key: word, value: word, timestamp: timestamp)
                        }
                    }
                    return 0
                }
                guard let key = message.key else { return 1 }
                words += 1
                let word = String(decoding: key, as: UTF8.self)
                let count = (counts[word] ?? 0) + 1
                counts[word] = count
                try withUnsafeBytes(of: count.bigEndian) { value in
                    try raw.send(to: outputTopic, key: key, value: value, timestamp: timestamp)
                }
                return 1
            }
            return ["input": lines, "repartition": words]
        }
    }
}
