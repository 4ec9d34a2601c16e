/// Serdes, names and stores of a stream-stream join (`KStream.join(_:windows:streamJoined:_:)`).
///
/// A stream-stream join keeps each side's records in a window store (and, for left and outer
/// joins, the not-yet-matched ones in a third store), so it needs serdes for the key and both
/// value types; those given here win over the streams' own and the types' defaults.
///
/// Names, as in Kafka Streams: ``name`` names the processors (`<name>-this-join`,
/// `<name>-other-join`, `<name>-merge`, ...) and repartition topics (`<name>-left-repartition`,
/// `<name>-right-repartition`); ``storeName`` names the stores (`<storeName>-this-join-store`,
/// `<storeName>-other-join-store`, and `<storeName>-left-shared-join-store` or
/// `<storeName>-outer-shared-join-store`). Without them the names are generated
/// (`KSTREAM-JOINTHIS-0000000004-store`, ...).
///
/// ```swift
/// impressions.join(clicks, windows: .ofTimeDifferenceWithNoGrace(.seconds(10)),
///                  streamJoined: StreamJoined.with(key: .string, value: .string, otherValue: .string)
///                      .withStoreName("impression-clicks")) { impression, click in ... }
/// ```
public struct StreamJoined<Key, Value, OtherValue>: Sendable {
    /// The key serde, for the stores and repartition topics; else the streams'.
    public var keySerde: Serde<Key>?
    /// The serde of the left (this) stream's values.
    public var valueSerde: Serde<Value>?
    /// The serde of the right (other) stream's values.
    public var otherValueSerde: Serde<OtherValue>?
    /// The base name of the join's processors and repartition topics.
    public var name: String?
    /// The base name of the join's stores (and so of their changelog topics).
    public var storeName: String?
    /// The left side's window store; it must retain duplicates and have the join's retention
    /// (`before + after + grace`) and window size (`before + after`).
    public var thisStoreSupplier: WindowBytesStoreSupplier?
    /// The right side's window store, with the same requirements.
    public var otherStoreSupplier: WindowBytesStoreSupplier?
    /// Whether the stores are backed by changelog topics (default: yes).
    public var loggingEnabled = true
    /// Extra configs of the stores' changelog topics.
    public var logConfig: [String: String] = [:]

    /// Serdes and names; every one may be left out.
    public init(
        key: Serde<Key>? = nil, value: Serde<Value>? = nil, otherValue: Serde<OtherValue>? = nil,
        name: String? = nil, storeName: String? = nil
    ) {
        self.keySerde = key
        self.valueSerde = value
        self.otherValueSerde = otherValue
        self.name = name
        self.storeName = storeName
    }

    /// Serdes for the join's stores and repartition topics.
    public static func with(
        key: Serde<Key>? = nil, value: Serde<Value>? = nil, otherValue: Serde<OtherValue>? = nil
    ) -> StreamJoined {
        StreamJoined(key: key, value: value, otherValue: otherValue)
    }

    /// A base name for the join's stores.
    public static func `as`(_ storeName: String) -> StreamJoined { StreamJoined(storeName: storeName) }

    /// Window stores from these suppliers (in memory or RocksDB).
    public static func with(
        thisStoreSupplier: WindowBytesStoreSupplier, otherStoreSupplier: WindowBytesStoreSupplier
    ) -> StreamJoined {
        var joined = StreamJoined()
        joined.thisStoreSupplier = thisStoreSupplier
        joined.otherStoreSupplier = otherStoreSupplier
        return joined
    }

    /// A copy with this base name for processors and repartition topics.
    public func withName(_ name: String) -> StreamJoined {
        var copy = self
        copy.name = name
        return copy
    }

    /// A copy with this base name for stores.
    public func withStoreName(_ storeName: String) -> StreamJoined {
        var copy = self
        copy.storeName = storeName
        return copy
    }

    /// A copy with this key serde.
    public func withKeySerde(_ serde: Serde<Key>) -> StreamJoined {
        var copy = self
        copy.keySerde = serde
        return copy
    }

    /// A copy with this serde for the left stream's values.
    public func withValueSerde(_ serde: Serde<Value>) -> StreamJoined {
        var copy = self
        copy.valueSerde = serde
        return copy
    }

    /// A copy with this serde for the right stream's values.
    public func withOtherValueSerde(_ serde: Serde<OtherValue>) -> StreamJoined {
        var copy = self
        copy.otherValueSerde = serde
        return copy
    }

    /// A copy whose left window store comes from `supplier`.
    public func withThisStoreSupplier(_ supplier: WindowBytesStoreSupplier) -> StreamJoined {
        var copy = self
        copy.thisStoreSupplier = supplier
        return copy
    }

    /// A copy whose right window store comes from `supplier`.
    public func withOtherStoreSupplier(_ supplier: WindowBytesStoreSupplier) -> StreamJoined {
        var copy = self
        copy.otherStoreSupplier = supplier
        return copy
    }

    /// A copy whose stores have no changelog topics: their content is lost with local state.
    public func withLoggingDisabled() -> StreamJoined {
        var copy = self
        copy.loggingEnabled = false
        return copy
    }

    /// A copy whose stores' changelog topics get these extra configs.
    public func withLoggingEnabled(_ configs: [String: String] = [:]) -> StreamJoined {
        var copy = self
        copy.loggingEnabled = true
        copy.logConfig = configs
        return copy
    }
}
