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
public struct SessionStoreBuilder<Key, Value>: Sendable {
    let supplier: SessionBytesStoreSupplier
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

    /// The store is backed by a changelog topic created with these extra topic configs (over the
    /// defaults `cleanup.policy=compact,delete` and `retention.ms` = retention period + 1 day).
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
            name: supplier.name, engine: supplier.engine, timestamped: false, loggingEnabled: loggingEnabled,
            changelogConfigs: StoreDefinition.windowedChangelogConfigs(retentionPeriod: retention)
                .merging(changelogConfigs) { _, user in user },
            cachingEnabled: cachingEnabled,
            makeTypedStore: { logged, task in
                SessionStore(
                    bytes: logged, segments: SegmentedBytesStore<SessionKeySchema>.opened(named: name, in: task, under: logged), key: keySerde,
                    value: valueSerde)
            },
            layout: .session(retentionPeriod: retention, segmentInterval: supplier.segmentIntervalMilliseconds))
    }
}
