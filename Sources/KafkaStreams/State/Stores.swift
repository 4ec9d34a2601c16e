/// The engine and name of a key-value store, before it is given types.
public struct KeyValueBytesStoreSupplier: Sendable, Hashable {
    /// The store's name.
    public let name: String
    let engine: StoreDefinition.Engine

    /// Whether the store keeps its data in RocksDB on local disk.
    public var isPersistent: Bool { engine == .persistent }
}

/// Describes a typed key-value store to add to a topology with ``Topology/addStateStore(_:processors:)``.
public struct StoreBuilder<Key, Value>: StateStoreBuilder {
    let supplier: KeyValueBytesStoreSupplier
    let keySerde: Serde<Key>
    let valueSerde: Serde<Value>
    /// Changelog and cache choices, set with the `with…` methods.
    public var options = StoreBuilderOptions()

    /// The store's name.
    public var name: String { supplier.name }

    func definition() -> StoreDefinition {
        let keySerde = keySerde
        let valueSerde = valueSerde
        return StoreDefinition(
            name: supplier.name, engine: supplier.engine, timestamped: false,
            loggingEnabled: options.loggingEnabled, changelogConfigs: options.changelogConfigs, cachingEnabled: options.cachingEnabled,
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
