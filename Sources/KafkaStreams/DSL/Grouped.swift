/// How records are grouped: serdes for the repartition topic, and its name.
///
/// The name, when given, names the repartition topic (`<applicationID>-<name>-repartition`);
/// otherwise the store's name does.
public struct Grouped<Key, Value>: Sendable {
    public var keySerde: Serde<Key>?
    public var valueSerde: Serde<Value>?
    public var name: String?

    public init(key: Serde<Key>? = nil, value: Serde<Value>? = nil, name: String? = nil) {
        self.keySerde = key
        self.valueSerde = value
        self.name = name
    }

    public static func with(key: Serde<Key>? = nil, value: Serde<Value>? = nil) -> Grouped {
        Grouped(key: key, value: value)
    }

    public static func with(name: String, key: Serde<Key>? = nil, value: Serde<Value>? = nil) -> Grouped {
        Grouped(key: key, value: value, name: name)
    }

    public static func `as`(_ name: String) -> Grouped { Grouped(name: name) }
}
