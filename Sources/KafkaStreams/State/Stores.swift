/// The engine and name of a key-value store, before it is given types.
public struct KeyValueBytesStoreSupplier: Sendable, Hashable {
    /// The store's name.
    public let name: String
    let engine: StoreDefinition.Engine

    /// Whether the store keeps its data in RocksDB on local disk.
    public var isPersistent: Bool { engine == .persistent }
}

/// Describes a typed key-value store to add to a topology with ``Topology/addStateStore(_:processors:)``.
public struct StoreBuilder<Key, Value>: Sendable {
    let supplier: KeyValueBytesStoreSupplier
    let keySerde: Serde<Key>
    let valueSerde: Serde<Value>
    var loggingEnabled = true
    var changelogConfigs: [String: String] = [:]
    var cachingEnabled = false

    /// The store's name.
    public var name: String { supplier.name }

    /// The store is not backed by a changelog topic: its content is lost with the local state.
    public func withLoggingDisabled() -> Self {
        var copy = self
        copy.loggingEnabled = false
        return copy
    }

    /// The store is backed by a changelog topic created with these extra topic configs.
    public func withLoggingEnabled(_ configs: [String: String] = [:]) -> Self {
        var copy = self
        copy.loggingEnabled = true
        copy.changelogConfigs = configs
        return copy
    }

    /// Puts a record cache in front of the store (see `StreamsConfig.cacheMaxBytes`).
    public func withCachingEnabled() -> Self {
        var copy = self
        copy.cachingEnabled = true
        return copy
    }

    /// Writes go straight to the store.
    public func withCachingDisabled() -> Self {
        var copy = self
        copy.cachingEnabled = false
        return copy
    }

    func definition() -> StoreDefinition {
        let keySerde = keySerde
        let valueSerde = valueSerde
        return StoreDefinition(
            name: supplier.name, engine: supplier.engine, timestamped: false,
            loggingEnabled: loggingEnabled, changelogConfigs: changelogConfigs, cachingEnabled: cachingEnabled,
            makeTypedStore: { bytes, task in
                KeyValueStore(
                    bytes: bytes, key: keySerde, value: valueSerde, timestamped: false,
                    currentTimestamp: { [unowned task] in task.currentRecordTimestamp })
            })
    }
}

/// Factories for state stores, as Kafka Streams' `Stores`.
///
/// ```swift
/// topology.addStateStore(
///     Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("seen"), key: .string, value: .int64),
///     processors: ["dedupe"])
/// ```
public enum Stores {
    /// A key-value store kept in memory (a B-tree), restored from its changelog on start.
    public static func inMemoryKeyValueStore(_ name: String) -> KeyValueBytesStoreSupplier {
        KeyValueBytesStoreSupplier(name: name, engine: .inMemory)
    }

    /// A key-value store kept in RocksDB under the state directory.
    public static func persistentKeyValueStore(_ name: String) -> KeyValueBytesStoreSupplier {
        KeyValueBytesStoreSupplier(name: name, engine: .persistent)
    }

    /// A typed key-value store on a supplier, logged to a changelog topic by default.
    public static func keyValueStoreBuilder<Key, Value>(
        _ supplier: KeyValueBytesStoreSupplier, key: Serde<Key>, value: Serde<Value>
    ) -> StoreBuilder<Key, Value> {
        StoreBuilder(supplier: supplier, keySerde: key, valueSerde: value)
    }
}
