/// How `repartition()` writes its topic: serdes, name, partition count and partitioner.
public struct Repartitioned<Key, Value>: Sendable {
    public var keySerde: Serde<Key>?
    public var valueSerde: Serde<Value>?
    public var name: String?
    public var numberOfPartitions: Int32?
    public var partitioner: (@Sendable (Key, Value, Int32) -> Int32?)?

    public init(
        key: Serde<Key>? = nil, value: Serde<Value>? = nil, name: String? = nil, numberOfPartitions: Int32? = nil,
        partitioner: (@Sendable (Key, Value, Int32) -> Int32?)? = nil
    ) {
        self.keySerde = key
        self.valueSerde = value
        self.name = name
        self.numberOfPartitions = numberOfPartitions
        self.partitioner = partitioner
    }

    public static func with(key: Serde<Key>? = nil, value: Serde<Value>? = nil) -> Repartitioned {
        Repartitioned(key: key, value: value)
    }

    public static func `as`(_ name: String) -> Repartitioned { Repartitioned(name: name) }

    public func withNumberOfPartitions(_ count: Int32) -> Repartitioned {
        var copy = self
        copy.numberOfPartitions = count
        return copy
    }

    public func withName(_ name: String) -> Repartitioned {
        var copy = self
        copy.name = name
        return copy
    }
}
