/// How records are written to a topic: serdes, an optional partitioner, and the sink's name.
public struct Produced<Key, Value>: Sendable {
    public var keySerde: Serde<Key>?
    public var valueSerde: Serde<Value>?
    /// Chooses a partition from key, value and partition count; `nil` (or returning `nil`) means
    /// Kafka's default, murmur2 of the serialized key.
    public var partitioner: (@Sendable (Key, Value, Int32) -> Int32?)?
    public var processorName: String?

    public init(
        key: Serde<Key>? = nil, value: Serde<Value>? = nil,
        partitioner: (@Sendable (Key, Value, Int32) -> Int32?)? = nil, name: String? = nil
    ) {
        self.keySerde = key
        self.valueSerde = value
        self.partitioner = partitioner
        self.processorName = name
    }

    /// Writes keys and values with these serdes.
    public static func with(
        key: Serde<Key>? = nil, value: Serde<Value>? = nil,
        partitioner: (@Sendable (Key, Value, Int32) -> Int32?)? = nil
    ) -> Produced {
        Produced(key: key, value: value, partitioner: partitioner)
    }

    /// Names the sink processor.
    public static func `as`(_ name: String) -> Produced { Produced(name: name) }

    public func withName(_ name: String) -> Produced {
        var copy = self
        copy.processorName = name
        return copy
    }
}
