import RdKafka

/// Row `raw-passthrough`: every input record copied to an output topic by a loop written directly
/// on `RdKafka`; the limit for stateless work.
enum RawPassthrough {
    static let name = "raw-passthrough"

    static func run(_ context: BenchContext) throws -> RowRun {
        try context.runPerRecordLoop(
            row: name, checkOutput: { try context.checkRecordCount(topic: $0, expected: context.input.recordCount) },
            start: { startLoop(context, groupID: $0, input: $1, output: $2) })
    }

    private static func startLoop(_ context: BenchContext, groupID: String, input: String, output: String) -> BackgroundLoop {
        let settings = context.settings
        let partitions = context.input.partitions
        return BackgroundLoop.start(name: name) { control in
            let raw = try RawLoop(settings: settings, groupID: groupID, topics: [input], outputs: [output], partitions: partitions)
            let outputTopic = try raw.topic(output)
            var consumed = 0
            try raw.run(control) { message in
                try raw.send(to: outputTopic, key: message.key, value: message.value, timestamp: message.timestamp)
                consumed += 1
                return 0
            }
            return ["input": consumed]
        }
    }
}
