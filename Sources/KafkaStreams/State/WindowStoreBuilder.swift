/// Describes a typed window store to add to a topology with `Topology.addStateStore(_:processors:)` or
/// `StreamsBuilder.addStateStore(_:)`;
/// processors get it as a ``WindowStore`` from `context.stateStore(named:)`.
///
/// ```swift
/// try topology.addStateStore(
///     Stores.windowStoreBuilder(
///         Stores.persistentWindowStore("clicks", retentionPeriod: .seconds(3600), windowSize: .seconds(60),
///                                      retainDuplicates: false),
///         key: .string, value: .int64),
///     processors: ["count-clicks"])
/// ```
public struct WindowStoreBuilder<Key, Value>: Sendable {
    let supplier: WindowBytesStoreSupplier
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
    /// - Throws: ``TopologyError`` for invalid retention or window size,
    ///   ``StreamsError/stateStore(store:message:)`` when RocksDB cannot open the store.
    public func build(directory: String? = nil) throws -> WindowStore<Key, Value> {
        try supplier.validate()
        let segments = try SegmentedBytesStore<WindowKeySchema>.standalone(
            name: name, engine: supplier.engine, retentionPeriod: supplier.retentionPeriod.milliseconds,
            segmentInterval: supplier.segmentIntervalMilliseconds, directory: directory)
        return WindowStore(
            bytes: segments, segments: segments, key: keySerde, value: valueSerde,
            windowSize: supplier.windowSize.milliseconds, retainDuplicates: supplier.retainDuplicates)
    }

    func definition() -> StoreDefinition {
        let name = name
        let keySerde = keySerde
        let valueSerde = valueSerde
        let windowSize = supplier.windowSize.milliseconds
        let retainDuplicates = supplier.retainDuplicates
        let retention = supplier.retentionPeriod.milliseconds
        return StoreDefinition(
            name: supplier.name, engine: supplier.engine, timestamped: false, loggingEnabled: loggingEnabled,
            changelogConfigs: StoreDefinition.windowedChangelogConfigs(retentionPeriod: retention)
                .merging(changelogConfigs) { _, user in user },
            cachingEnabled: cachingEnabled,
            makeTypedStore: { logged, task in
                WindowStore(
                    bytes: logged, segments: SegmentedBytesStore<WindowKeySchema>.opened(named: name, in: task, under: logged), key: keySerde,
                    value: valueSerde, windowSize: windowSize, retainDuplicates: retainDuplicates)
            },
            layout: .window(retentionPeriod: retention, segmentInterval: supplier.segmentIntervalMilliseconds))
    }
}
