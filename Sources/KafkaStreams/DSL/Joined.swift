/// Serdes and a name for a stream-table join (`KStream.join(_:joined:_:)` with a ``KTable``).
///
/// The serdes are needed only when the stream must be repartitioned before the join (its keys
/// were changed): they write the repartition topic. The name names the join processor and that
/// repartition topic (`<name>-repartition`).
///
/// ```swift
/// views.selectKey { _, view in view.user }
///     .join(users, joined: .with(key: .string, value: .json(PageView.self)).withName("enrich")) { view, user in ... }
/// ```
public struct Joined<Key, Value, OtherValue>: Sendable {
    /// The key serde, for a repartition topic; else the stream's.
    public var keySerde: Serde<Key>?
    /// The serde of the stream's values, for a repartition topic; else the stream's.
    public var valueSerde: Serde<Value>?
    /// The serde of the table's values (Kafka Streams' `otherValueSerde`; the table's own is used).
    public var otherValueSerde: Serde<OtherValue>?
    /// The name of the join processor and of the repartition topic, if any.
    public var name: String?

    /// Serdes and a name; every one may be left out.
    public init(
        key: Serde<Key>? = nil, value: Serde<Value>? = nil, otherValue: Serde<OtherValue>? = nil, name: String? = nil
    ) {
        self.keySerde = key
        self.valueSerde = value
        self.otherValueSerde = otherValue
        self.name = name
    }

    /// Serdes for the join's repartition topic.
    public static func with(
        key: Serde<Key>? = nil, value: Serde<Value>? = nil, otherValue: Serde<OtherValue>? = nil
    ) -> Joined {
        Joined(key: key, value: value, otherValue: otherValue)
    }

    /// A name for the join processor (and repartition topic).
    public static func `as`(_ name: String) -> Joined { Joined(name: name) }

    /// A copy with this name.
    public func withName(_ name: String) -> Joined {
        var copy = self
        copy.name = name
        return copy
    }

    /// A copy with this key serde.
    public func withKeySerde(_ serde: Serde<Key>) -> Joined {
        var copy = self
        copy.keySerde = serde
        return copy
    }

    /// A copy with this serde for the stream's values.
    public func withValueSerde(_ serde: Serde<Value>) -> Joined {
        var copy = self
        copy.valueSerde = serde
        return copy
    }

    /// A copy with this serde for the table's values.
    public func withOtherValueSerde(_ serde: Serde<OtherValue>) -> Joined {
        var copy = self
        copy.otherValueSerde = serde
        return copy
    }
}
