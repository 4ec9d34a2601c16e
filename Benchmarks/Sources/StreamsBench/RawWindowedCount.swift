import RdKafka

/// Row `raw-windowed-count`: the count per key per 1-minute tumbling window written by hand on
/// `RdKafka`, with the data flow of the DSL topology (no repartition: the input is already keyed):
/// read a record, count it in a `Dictionary` keyed by the windowed key, send the updated count
/// keyed `[key][window start: 8 bytes big-endian]` (the `.timeWindowed` serde's layout). The limit
/// of `windowed-count`. (It has no store and no changelog: the DSL row also writes one changelog
/// record per input record.)
enum RawWindowedCount {
    static let name = "raw-windowed-count"
    /// The window size of both windowed rows.
    static let windowMs: Int64 = 60_000

    static func run(_ context: BenchContext) throws -> RowRun {
        try context.runPerRecordLoop(
            row: name, checkOutput: { try context.checkWindowedCounts(topic: $0) },
            start: { startLoop(context, groupID: $0, input: $1, output: $2) })
    }

    private static func startLoop(_ context: BenchContext, groupID: String, input: String, output: String) -> BackgroundLoop {
        let settings = context.settings
        let partitions = context.input.partitions
        return BackgroundLoop.start(name: name) { control in
            let raw = try RawLoop(settings: settings, groupID: groupID, topics: [input], outputs: [output], partitions: partitions)
            let outputTopic = try raw.topic(output)
            var counts: [[UInt8]: Int64] = [:]
            var consumed = 0
            var windowedKey: [UInt8] = []
            try raw.run(control) { message in
                consumed += 1
                guard let key = message.key else { return 0 }
                let timestamp = message.timestamp
                let start = timestamp - timestamp % windowMs
                windowedKey.removeAll(keepingCapacity: true)
                windowedKey.append(contentsOf: key)
                withUnsafeBytes(of: start.bigEndian) { windowedKey.append(contentsOf: $0) }
                let count = (counts[windowedKey] ?? 0) + 1
                counts[windowedKey] = count
                try windowedKey.withUnsafeBytes { key in
                    try withUnsafeBytes(of: count.bigEndian) { value in
                        try raw.send(to: outputTopic, key: key, value: value, timestamp: timestamp)
                    }
                }
                return 0
            }
            return ["input": consumed]
        }
    }
}
