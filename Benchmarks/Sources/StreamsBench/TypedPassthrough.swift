import RdKafka

/// Row `typed-passthrough` (diagnostic, only when named in `--rows`): the `stateless` row's work
/// written by hand on `RdKafka`, doing what any typed API must and nothing else: key and value
/// owned as Swift arrays (copied into arrays reused from record to record, as the library's
/// `.bytes` sources do), a map and a filter called through function values, the key hashed in
/// Swift for its partition, the arrays' bytes produced. Its ratio to `raw-passthrough` is the
/// floor a typed pipeline pays; `stateless` against it is what the library's runtime adds.
enum TypedPassthrough {
    static let name = "typed-passthrough"

    /// An array overwritten in place while nothing else holds it.
    private final class ReusedArray {
        private var bytes: [UInt8] = []

        func copy(_ source: UnsafeRawBufferPointer) -> [UInt8] {
            bytes.replaceSubrange(bytes.startIndex..<bytes.endIndex, with: source)
            return bytes
        }
    }

    static func run(_ context: BenchContext) throws -> RowRun {
        try context.runPerRecordLoop(
            row: name, checkOutput: { try context.checkRecordCount(topic: $0, expected: context.input.recordCount) },
            start: { startLoop(context, groupID: $0, input: $1, output: $2) })
    }

    /// Hides a function value from the optimizer, as a user's closure handed to a library is.
    @inline(never)
    private static func opaque<F>(_ function: F) -> F { function }

    private static func startLoop(_ context: BenchContext, groupID: String, input: String, output: String) -> BackgroundLoop {
        let settings = context.settings
        let partitions = context.input.partitions
        return BackgroundLoop.start(name: name) { control in
            let raw = try RawLoop(settings: settings, groupID: groupID, topics: [input], outputs: [output], partitions: partitions)
            let keys = ReusedArray()
            let values = ReusedArray()
            let map: ([UInt8]) -> [UInt8] = opaque { $0 }
            let filter: ([UInt8]?, [UInt8]) -> Bool = opaque { _, value in !value.isEmpty }
            let outputTopic = try raw.topic(output)
            var consumed = 0
            try raw.run(control) { message in
                consumed += 1
                let key = message.key.map { keys.copy($0) }
                let value = map(message.value.map { values.copy($0) } ?? [])
                guard filter(key, value) else { return 0 }
                let partition = key.map { Int32(Murmur2.partition(of: $0, partitions: partitions)) }
                let timestamp = message.timestamp
                try value.withUnsafeBytes { value in
                    guard let key else {
                        return try InputData.produce(
                            raw.producer, to: outputTopic, partition: partition, key: nil, value: value, timestamp: timestamp)
                    }
                    try key.withUnsafeBytes { key in
                        try InputData.produce(
                            raw.producer, to: outputTopic, partition: partition, key: key, value: value, timestamp: timestamp)
                    }
                }
                return 0
            }
            return ["input": consumed]
        }
    }
}
