/// Where a table's state is kept: store name, serdes, engine, changelog and cache.
///
/// ```swift
/// .count(materialized: .as("counts"))                        // RocksDB, logged, cached
/// .count(materialized: .as("counts", storeType: .inMemory))  // in-memory B-tree
/// .count(materialized: Materialized.as("counts").withLoggingDisabled())
/// ```
public struct Materialized<Key, Value>: Sendable {
    /// The store engines.
    public enum StoreType: Sendable, Hashable {
        /// RocksDB on local disk (the default).
        case persistent
        /// A B-tree in memory, restored from the changelog on start.
        case inMemory
    }

    public var storeName: String?
    public var keySerde: Serde<Key>?
    public var valueSerde: Serde<Value>?
    public var storeType: StoreType
    public var loggingEnabled: Bool = true
    public var changelogConfigs: [String: String] = [:]
    public var cachingEnabled: Bool = true
    /// How long a window or session store keeps windows; `nil` is the least the windows need
    /// (see `withRetention(_:)`). Not used by key-value stores.
    public var retention: Duration?

    public init(
        storeName: String? = nil, key: Serde<Key>? = nil, value: Serde<Value>? = nil,
        storeType: StoreType = .persistent
    ) {
        self.storeName = storeName
        self.keySerde = key
        self.valueSerde = value
        self.storeType = storeType
    }

    /// A store with this name, queryable under it.
    public static func `as`(
        _ storeName: String, key: Serde<Key>? = nil, value: Serde<Value>? = nil, storeType: StoreType = .persistent
    ) -> Materialized {
        Materialized(storeName: storeName, key: key, value: value, storeType: storeType)
    }

    /// A store with a generated name and these serdes.
    public static func with(key: Serde<Key>? = nil, value: Serde<Value>? = nil) -> Materialized {
        Materialized(key: key, value: value)
    }

    /// A store on this supplier's name and engine.
    public static func `as`(_ supplier: KeyValueBytesStoreSupplier) -> Materialized {
        Materialized(storeName: supplier.name, storeType: supplier.isPersistent ? .persistent : .inMemory)
    }

    public func withStoreType(_ storeType: StoreType) -> Materialized {
        var copy = self
        copy.storeType = storeType
        return copy
    }

    public func withKeySerde(_ serde: Serde<Key>) -> Materialized {
        var copy = self
        copy.keySerde = serde
        return copy
    }

    public func withValueSerde(_ serde: Serde<Value>) -> Materialized {
        var copy = self
        copy.valueSerde = serde
        return copy
    }

    /// No changelog topic: state is lost with the local state directory.
    public func withLoggingDisabled() -> Materialized {
        var copy = self
        copy.loggingEnabled = false
        return copy
    }

    /// A changelog topic with these extra topic configs.
    public func withLoggingEnabled(_ configs: [String: String] = [:]) -> Materialized {
        var copy = self
        copy.loggingEnabled = true
        copy.changelogConfigs = configs
        return copy
    }

    public func withCachingDisabled() -> Materialized {
        var copy = self
        copy.cachingEnabled = false
        return copy
    }

    public func withCachingEnabled() -> Materialized {
        var copy = self
        copy.cachingEnabled = true
        return copy
    }
}
