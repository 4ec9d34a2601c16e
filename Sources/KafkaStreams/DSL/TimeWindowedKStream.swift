/// A grouped stream windowed by ``TimeWindows`` or ``SlidingWindows``, ready for aggregation;
/// made by `KGroupedStream.windowedBy(_:)`.
///
/// Aggregations keep one value per key and window in a window store and return a
/// `KTable<Windowed<Key>, Value>`; the table's key serde is
/// `.timeWindowed(keySerde, size:)`, so `toStream().to(topic)` writes Kafka Streams' windowed key
/// layout. The store keeps windows for the window size (for sliding windows, twice the time
/// difference) plus the grace period, or longer with `Materialized.withRetention(_:)`.
///
/// ```swift
/// let counts = builder.stream("clicks", consumed: .with(key: .string, value: .string))
///     .groupByKey()
///     .windowedBy(TimeWindows.ofSizeAndGrace(.seconds(60), .seconds(10)))
///     .count(materialized: .as("clicks-per-minute"))
/// counts.toStream().to("clicks-per-minute")
/// ```
public final class TimeWindowedKStream<Key, Value> {
    enum Windows {
        case time(TimeWindows)
        case sliding(SlidingWindows)
    }

    let grouped: KGroupedStream<Key, Value>
    let windows: Windows
    let strategy: EmitStrategy

    init(grouped: KGroupedStream<Key, Value>, windows: Windows, emitStrategy: EmitStrategy) {
        self.grouped = grouped
        self.windows = windows
        self.strategy = emitStrategy
    }

    /// The same windowed stream, emitting its aggregations' results as `strategy` says: every
    /// update (the default) or, with ``EmitStrategy/onWindowClose``, once per window when it
    /// closes.
    public func emitStrategy(_ strategy: EmitStrategy) -> TimeWindowedKStream {
        TimeWindowedKStream(grouped: grouped, windows: windows, emitStrategy: strategy)
    }

    /// Counts records per key and window.
    @discardableResult
    public func count(named: Named? = nil, materialized: Materialized<Key, Int64> = .init())
        -> KTable<Windowed<Key>, Int64>
    {
        // Kafka Streams takes (and wastes) a store index here for time windows; so do we, so that
        // generated names match.
        if case .time = windows, materialized.storeName == nil {
            _ = grouped.builder.topology.newName("KSTREAM-AGGREGATE-STATE-STORE-")
        }
        return build(
            prefix: "KSTREAM-AGGREGATE-", named: named, materialized: materialized, aggregateSerde: .int64,
            timeWindowNode: KStreamWindowCount.init, update: KStreamWindowCount.counting)
    }

    /// Combines the values of each key and window with `reducer(aggregate, value)`; the first
    /// value is the first aggregate.
    @discardableResult
    public func reduce(
        named: Named? = nil, materialized: Materialized<Key, Value> = .init(),
        _ reducer: @escaping @Sendable (Value, Value) throws -> Value
    ) -> KTable<Windowed<Key>, Value> {
        build(prefix: "KSTREAM-REDUCE-", named: named, materialized: materialized, aggregateSerde: grouped.valueSerde) {
            _, value, aggregate in
            guard let aggregate else { return value }
            return try reducer(aggregate, value)
        }
    }

    /// Folds the values of each key and window into an aggregate that starts as `initializer()`,
    /// with `aggregator(key, value, aggregate)`.
    @discardableResult
    public func aggregate<Aggregate>(
        initializer: @escaping @Sendable () throws -> Aggregate, named: Named? = nil,
        materialized: Materialized<Key, Aggregate> = .init(),
        _ aggregator: @escaping @Sendable (Key, Value, Aggregate) throws -> Aggregate
    ) -> KTable<Windowed<Key>, Aggregate> {
        build(prefix: "KSTREAM-AGGREGATE-", named: named, materialized: materialized, aggregateSerde: nil) {
            key, value, aggregate in
            try aggregator(key, value, try aggregate ?? initializer())
        }
    }

    /// With ``EmitStrategy/onWindowClose`` the store keeps windows one millisecond longer than
    /// asked, so that a window whose end is exactly the previous close time is still readable
    /// when the next record closes it (Kafka Streams' time-ordered stores read one millisecond
    /// further for the same reason).
    private func storeRetention(_ retention: Int64) -> Int64 {
        strategy == .onWindowClose ? saturatingAdd(retention, 1) : retention
    }

    /// Makes the node of a time-window aggregation: ``KStreamWindowAggregate`` or a subclass.
    private typealias TimeWindowNode<Aggregate> = @Sendable (
        _ name: String, _ storeName: String, _ windows: TimeWindows, _ key: Serde<Key>, _ aggregate: Serde<Aggregate>,
        _ emitStrategy: EmitStrategy, _ task: TaskContext, _ update: @escaping @Sendable (Key, Value, Aggregate?) throws -> Aggregate
    ) -> KStreamWindowAggregate<Key, Value, Aggregate>

    private func build<Aggregate>(
        prefix: String, named: Named?, materialized: Materialized<Key, Aggregate>, aggregateSerde: Serde<Aggregate>?,
        timeWindowNode: @escaping TimeWindowNode<Aggregate> = KStreamWindowAggregate.init,
        update: @escaping @Sendable (Key, Value, Aggregate?) throws -> Aggregate
    ) -> KTable<Windowed<Key>, Aggregate> {
        let builder = grouped.builder
        let topology = builder.topology
        let storeName = materialized.storeName ?? topology.newName("\(prefix)STATE-STORE-")
        let node = named?.name ?? topology.newName(prefix)
        let key = builder.serde(materialized.keySerde, grouped.keySerde, node: node)
        let aggregate = builder.serde(materialized.valueSerde, aggregateSerde, node: node)
        let source = grouped.aggregationSource(node: node, storeName: storeName, materialized: materialized)
        let strategy = strategy
        let windowSize: Int64
        switch windows {
        case .time(let windows):
            builder.record { try windows.validate() }
            windowSize = windows.sizeMs
            let retention = builder.windowStoreRetention(
                materialized.retention, minimum: saturatingAdd(windows.sizeMs, windows.graceMs), store: storeName,
                requirement: "its window size plus grace period (\(windows.size) + \(windows.gracePeriod))")
            builder.addWindowAggregateStore(
                storeName, materialized: materialized, key: key, value: aggregate, retention: storeRetention(retention),
                windowSize: windowSize)
            builder.addProcessor(node, parents: [source], stores: [storeName]) { task in
                timeWindowNode(node, storeName, windows, key, aggregate, strategy, task, update)
            }
            builder.windowCloseDelays[node] = windows.graceMs
        case .sliding(let windows):
            builder.record { try windows.validate() }
            windowSize = windows.timeDifferenceMs
            let retention = builder.windowStoreRetention(
                materialized.retention,
                minimum: saturatingAdd(saturatingAdd(windows.timeDifferenceMs, windows.timeDifferenceMs), windows.graceMs),
                store: storeName,
                requirement:
                    "twice the time difference plus grace period (2 * \(windows.timeDifference) + \(windows.gracePeriod))")
            builder.addWindowAggregateStore(
                storeName, materialized: materialized, key: key, value: aggregate, retention: storeRetention(retention),
                windowSize: windowSize)
            builder.addProcessor(node, parents: [source], stores: [storeName]) { task in
                KStreamSlidingWindowAggregate<Key, Value, Aggregate>(
                    name: node, storeName: storeName, windows: windows, key: key, aggregate: aggregate,
                    emitStrategy: strategy, task: task, update: update)
            }
            builder.windowCloseDelays[node] = windows.graceMs
        }
        // The window store is not a key-value store: the table is not materialized as one, but
        // its store is queryable (`KTable.windowedStoreName`).
        return KTable(
            builder: builder, name: node, key: .timeWindowed(key, size: .milliseconds(windowSize)), value: aggregate,
            storeName: nil, windowedStoreName: storeName)
    }
}
