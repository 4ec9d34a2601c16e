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
public struct WindowStoreBuilder<Key, Value>: StateStoreBuilder {
    let supplier: WindowBytesStoreSupplier
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
            name: supplier.name, engine: supplier.engine, timestamped: false, loggingEnabled: options.loggingEnabled,
            changelogConfigs: StoreDefinition.windowedChangelogConfigs(retentionPeriod: retention)
                .merging(options.changelogConfigs) { _, user in user },
            cachingEnabled: options.cachingEnabled,
            makeTypedStore: { logged, task in
                WindowStore(
                    bytes: logged, segments: SegmentedBytesStore<WindowKeySchema>.opened(named: name, in: task, under: logged), key: keySerde,
                    value: valueSerde, windowSize: windowSize, retainDuplicates: retainDuplicates)
            },
            layout: .window(
                retentionPeriod: retention, segmentInterval: supplier.segmentIntervalMilliseconds, windowSize: windowSize))
    }
}
