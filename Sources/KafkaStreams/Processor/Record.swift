/// A record flowing through a topology: key, value, timestamp and headers.
///
/// Where it came from (topic, partition, offset) is in ``ProcessorContext/recordMetadata``.
public struct Record<Key, Value> {
    /// The key.
    public var key: Key
    /// The value.
    public var value: Value
    /// Event time in epoch milliseconds.
    public var timestamp: Int64
    /// Headers, in order, duplicates allowed.
    public var headers: RecordHeaders

    public init(key: Key, value: Value, timestamp: Int64, headers: RecordHeaders = []) {
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.headers = headers
    }

    /// A copy with another key.
    @inlinable
    public func withKey<NewKey>(_ key: NewKey) -> Record<NewKey, Value> {
        Record<NewKey, Value>(key: key, value: value, timestamp: timestamp, headers: headers)
    }

    /// A copy with another value.
    @inlinable
    public func withValue<NewValue>(_ value: NewValue) -> Record<Key, NewValue> {
        Record<Key, NewValue>(key: key, value: value, timestamp: timestamp, headers: headers)
    }

    /// A copy with another timestamp.
    @inlinable
    public func withTimestamp(_ timestamp: Int64) -> Record<Key, Value> {
        var copy = self
        copy.timestamp = timestamp
        return copy
    }
}

extension Record: Sendable where Key: Sendable, Value: Sendable {}
extension Record: Equatable where Key: Equatable, Value: Equatable {}
