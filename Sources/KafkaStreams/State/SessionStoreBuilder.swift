/// Describes a typed session store to add to a topology with `Topology.addStateStore(_:processors:)` or
/// `StreamsBuilder.addStateStore(_:)`;
/// processors get it as a ``SessionStore`` from `context.stateStore(named:)`.
///
/// ```swift
/// try topology.addStateStore(
///     Stores.sessionStoreBuilder(
///         Stores.persistentSessionStore("visits", retentionPeriod: .seconds(86_400)), key: .string, value: .int64),
///     processors: ["sessionize"])
/// ```
public struct SessionStoreBuilder<Key, Value>: StateStoreBuilder {
    let supplier: SessionBytesStoreSupplier
    let keySerde: Serde<Key>
    let valueSerde: Serde<Value>
    /// Changelog and cache choices, set with the `with…` methods.
    public var options = StoreBuilderOptions()

    /// The store's name.
    public var name: String { supplier.name }

    /// Opens the store on its own, outside any topology, for tools, tests and benchmarks.
    /// Nothing is logged.
    ///
    /// - Parameter directory: Where a persistent store keeps its segments (one RocksDB database
    ///   each); required for persistent stores, ignored for in-memory ones.
    /// - Throws: ``TopologyError`` for a negative retention period,
    ///   ``StreamsError/stateStore(store:message:)`` when RocksDB cannot open the store.
    public func build(directory: String? = nil) throws -> SessionStore<Key, Value> {
        try supplier.validate()
        let segments = try SegmentedBytesStore<SessionKeySchema>.standalone(
            name: name, engine: supplier.engine, retentionPeriod: supplier.retentionPeriod.milliseconds,
            segmentInterval: supplier.segmentIntervalMilliseconds, directory: directory)
        return SessionStore(bytes: segments, segments: segments, key: keySerde, value: valueSerde)
    }

    func definition() -> StoreDefinition {
        let name = name
        let keySerde = keySerde
        let valueSerde = valueSerde
        let retention = supplier.retentionPeriod.milliseconds
        return StoreDefinition(
            name: supplier.name, engine: supplier.engine, timestamped: false, loggingEnabled: options.loggingEnabled,
            changelogConfigs: StoreDefinition.windowedChangelogConfigs(retentionPeriod: retention)
                .merging(options.changelogConfigs) { _, user in user },
            cachingEnabled: options.cachingEnabled,
            makeTypedStore: { logged, task in
                SessionStore(
                    bytes: logged, segments: SegmentedBytesStore<SessionKeySchema>.opened(named: name, in: task, under: logged), key: keySerde,
                    value: valueSerde)
            },
            layout: .session(retentionPeriod: retention, segmentInterval: supplier.segmentIntervalMilliseconds))
    }
}
