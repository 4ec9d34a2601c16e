import RdKafka

/// Row `raw-passthrough`: every input record copied to an output topic by a loop written directly
/// on `RdKafka`; the limit for stateless work.
enum RawPassthrough {
    static let name = "raw-passthrough"

    static func run(_ context: BenchContext) throws -> RowRun {
        let input = context.input
        let output = context.topic(name, "output")
        try context.broker.createTopic(output, partitions: input.partitions)
        let groupID = context.groupID(name)
        let loop = startLoop(context, groupID: groupID, input: input.topic, output: output)
        var run = try context.waitForOutputs(topic: output, expected: input.recordCount, watched: [], loop: loop)
        let counts = try loop.stop(timeout: .seconds(60))
        try context.expect(counts["input"] == input.recordCount, "\(name) read \(counts["input"] ?? 0) input records, expected \(input.recordCount)")
        try context.watcher.checkNothingDeleted(topics: [input.topic, output], partitions: input.partitions)
        try context.watcher.checkConsumedAll(groupID: groupID, topic: input.topic, partitions: input.partitions, expected: input.recordCount)
        try context.checkRecordCount(topic: output, expected: input.recordCount)
        run.latency = try context.perRecordLoopLatency(row: name, output: output) {
            startLoop(context, groupID: groupID, input: $0, output: output)
        }
        return run
    }

    private static func startLoop(_ context: BenchContext, groupID: String, input: String, output: String) -> BackgroundLoop {
        let settings = context.settings
        let partitions = context.input.partitions
        return BackgroundLoop.start(name: name) { control in
            let raw = try RawLoop(settings: settings, groupID: groupID, topics: [input], partitions: partitions)
            var consumed = 0
            try raw.run(control) { message in
                try raw.send(topic: output, key: message.key, value: message.value, timestamp: message.timestamp)
                consumed += 1
                return 0
            }
            return ["input": consumed]
        }
    }
}
