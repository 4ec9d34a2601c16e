/// How a source topic is read: key and value serdes, and the source processor's name.
///
/// A serde left out is taken from the type's ``DefaultSerde`` conformance; a type without one is a
/// ``TopologyError/missingSerde(node:type:)`` at `build()`.
public struct Consumed<Key, Value>: Sendable {
    public var keySerde: Serde<Key>?
    public var valueSerde: Serde<Value>?
    public var processorName: String?
    /// Gives the source's records their timestamps; `nil` uses ``StreamsConfig/defaultTimestampExtractor``.
    public var timestampExtractor: (any TimestampExtractor)?

    public init(key: Serde<Key>? = nil, value: Serde<Value>? = nil, name: String? = nil) {
        self.keySerde = key
        self.valueSerde = value
        self.processorName = name
    }

    /// Reads keys and values with these serdes.
    public static func with(key: Serde<Key>? = nil, value: Serde<Value>? = nil) -> Consumed {
        Consumed(key: key, value: value)
    }

    /// Names the source processor.
    public static func `as`(_ name: String) -> Consumed { Consumed(name: name) }

    /// A copy that names the source processor.
    public func withName(_ name: String) -> Consumed {
        var copy = self
        copy.processorName = name
        return copy
    }
}
