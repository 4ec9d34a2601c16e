/// Sends every write of a store to its changelog topic, partition = the task's partition.
///
/// Timestamped stores (DSL tables) keep `[timestamp][value]` locally; their changelog records
/// carry the plain value with the timestamp as the record timestamp, as Kafka Streams writes
/// them, so changelog topics stay readable by other tools. A delete is a tombstone.
final class ChangeLoggingKeyValueBytesStore: KeyValueBytesStore {
    let inner: any KeyValueBytesStore
    let topic: String
    let partition: Int32
    let timestamped: Bool
    private unowned let task: TaskContext
    private let exactlyOnce: Bool

    var name: String { inner.name }
    var isPersistent: Bool { inner.isPersistent }

    init(inner: any KeyValueBytesStore, topic: String, partition: Int32, timestamped: Bool, task: TaskContext) {
        self.inner = inner
        self.topic = topic
        self.partition = partition
        self.timestamped = timestamped
        self.task = task
        self.exactlyOnce = task.config.processingGuarantee == .exactlyOnceV2
    }

    /// Under exactly-once, the input record whose processing makes this write.
    private var origin: ChangelogOrigin? {
        guard exactlyOnce, let metadata = task.recordMetadata else { return nil }
        return ChangelogOrigin(offset: metadata.offset, topic: metadata.topic == task.singleInputTopic ? nil : metadata.topic)
    }

    /// The store that holds committed data: under exactly-once the one beneath the transaction
    /// buffer. Restoration writes there, and it keeps the changelog offset its data covers.
    var committedStore: any KeyValueBytesStore {
        (inner as? TransactionBufferingKeyValueBytesStore)?.inner ?? inner
    }

    func get(_ key: [UInt8]) throws -> [UInt8]? { try inner.get(key) }

    func put(_ key: [UInt8], _ value: [UInt8]) throws {
        try inner.put(key, value)
        try key.withUnsafeBytes { keyBytes in
            try value.withUnsafeBytes { valueBytes in
                if timestamped, valueBytes.count >= 8 {
                    let timestamp = Int64(bigEndian: valueBytes.loadUnaligned(as: Int64.self))
                    try task.collector.sendChangelog(
                        topic: topic, partition: partition, key: keyBytes,
                        value: UnsafeRawBufferPointer(rebasing: valueBytes.dropFirst(8)), timestamp: timestamp, origin: origin)
                } else {
                    try task.collector.sendChangelog(
                        topic: topic, partition: partition, key: keyBytes, value: valueBytes,
                        timestamp: task.currentRecordTimestamp, origin: origin)
                }
            }
        }
    }

    @discardableResult
    func delete(_ key: [UInt8]) throws -> [UInt8]? {
        let old = try inner.delete(key)
        try key.withUnsafeBytes { keyBytes in
            try task.collector.sendChangelog(
                topic: topic, partition: partition, key: keyBytes, value: nil, timestamp: task.currentRecordTimestamp,
                origin: origin)
        }
        return old
    }

    func range(from: [UInt8]?, to: [UInt8]?, reverse: Bool) throws -> [(key: [UInt8], value: [UInt8])] {
        try inner.range(from: from, to: to, reverse: reverse)
    }

    func approximateNumEntries() throws -> Int { try inner.approximateNumEntries() }
    func removeAll() throws { try inner.removeAll() }
    func flush() throws { try inner.flush() }
    func close() throws { try inner.close() }
}
