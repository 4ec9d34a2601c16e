import KafkaStreams

/// A record read from or piped into a test topic.
public struct TestRecord<Key, Value> {
    public var key: Key
    public var value: Value
    /// Epoch milliseconds.
    public var timestamp: Int64
    public var headers: RecordHeaders
    /// The partition it was written to (output records).
    public var partition: Int32

    public init(key: Key, value: Value, timestamp: Int64, headers: RecordHeaders = [], partition: Int32 = 0) {
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.headers = headers
        self.partition = partition
    }
}

extension TestRecord: Equatable where Key: Equatable, Value: Equatable {}
extension TestRecord: Sendable where Key: Sendable, Value: Sendable {}
