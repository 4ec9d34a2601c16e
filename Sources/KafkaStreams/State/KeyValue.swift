/// A key and its value, as returned by range queries.
public struct KeyValue<Key, Value> {
    public var key: Key
    public var value: Value

    public init(_ key: Key, _ value: Value) {
        self.key = key
        self.value = value
    }
}

extension KeyValue: Sendable where Key: Sendable, Value: Sendable {}
extension KeyValue: Equatable where Key: Equatable, Value: Equatable {}
extension KeyValue: Hashable where Key: Hashable, Value: Hashable {}
extension KeyValue: CustomStringConvertible {
    public var description: String { "KeyValue(\(key), \(value))" }
}
