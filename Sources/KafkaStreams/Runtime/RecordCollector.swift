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
    /// checkpoints. `origin` is the input record whose processing made the write, under
    /// exactly-once (`nil` otherwise, and for punctuations).
    func sendChangelog(
        topic: String, partition: Int32, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer?,
        timestamp: Int64, origin: ChangelogOrigin?
    ) throws
}

extension RecordCollector {
    func sendChangelog(
        topic: String, partition: Int32, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer?,
        timestamp: Int64, origin: ChangelogOrigin?
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

/// The input record whose processing wrote a changelog record (exactly-once): its offset, and its
/// topic unless the task reads only one.
struct ChangelogOrigin: Equatable {
    var offset: Int64
    var topic: String?

    /// The header value: `[offset: 8 bytes BE][topic, UTF-8, if any]`.
    var header: [UInt8] {
        withHeader { Array($0) }
    }

    /// Calls `body` with ``header``, built on the stack: one is written per changelog record.
    func withHeader<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        let count = 8 + (topic?.utf8.count ?? 0)
        return try withUnsafeTemporaryAllocation(byteCount: count, alignment: 1) { buffer in
            buffer.storeBytes(of: offset.bigEndian, toByteOffset: 0, as: Int64.self)
            if let topic {
                var index = 8
                for byte in topic.utf8 { buffer[index] = byte; index += 1 }
            }
            return try body(UnsafeRawBufferPointer(buffer))
        }
    }

    init(offset: Int64, topic: String?) {
        self.offset = offset
        self.topic = topic
    }

    init?(header value: UnsafeRawBufferPointer) {
        guard value.count >= 8 else { return nil }
        offset = Int64(bigEndian: value.loadUnaligned(as: Int64.self))
        topic = value.count > 8 ? String(decoding: UnsafeRawBufferPointer(rebasing: value.dropFirst(8)), as: UTF8.self) : nil
    }
}
