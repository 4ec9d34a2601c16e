/// Where a task's sinks and changelogs send records: the producer at run time, the test
/// driver's capture in tests.
protocol RecordCollector: AnyObject {
    /// Sends one record. `partition == nil` lets the collector choose (records without key).
    /// The buffers are copied before this returns.
    func send(
        topic: String, partition: Int32?, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?,
        timestamp: Int64, headers: RecordHeaders
    ) throws

    /// The number of partitions of a topic, for partitioning by key.
    func partitionCount(of topic: String) throws -> Int32

    /// Sends a changelog record; the collector tracks acknowledged changelog offsets for
    /// checkpoints. `origin` is the input record whose processing made the write (`nil` for
    /// punctuations).
    func sendChangelog(
        topic: String, partition: Int32, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer?,
        timestamp: Int64, origin: RecordMetadata?
    ) throws
}

extension RecordCollector {
    func sendChangelog(
        topic: String, partition: Int32, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer?,
        timestamp: Int64, origin: RecordMetadata?
    ) throws {
        try send(topic: topic, partition: partition, key: key, value: value, timestamp: timestamp, headers: [])
    }

    func send(
        topic: String, partition: Int32?, key: [UInt8]?, value: [UInt8]?, timestamp: Int64, headers: RecordHeaders
    ) throws {
        try withOptionalBytes(key) { keyBytes in
            try withOptionalBytes(value) { valueBytes in
                try send(
                    topic: topic, partition: partition, key: keyBytes, value: valueBytes, timestamp: timestamp,
                    headers: headers)
            }
        }
    }
}

@inline(__always)
func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
    guard let bytes else { return try body(nil) }
    return try bytes.withUnsafeBytes { try body($0) }
}
