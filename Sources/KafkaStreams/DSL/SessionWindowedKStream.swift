/// A grouped stream windowed by ``SessionWindows``, ready for aggregation; made by
/// `KGroupedStream.windowedBy(_:)`.
///
/// Aggregations keep one value per key and session in a session store and return a
/// `KTable<Windowed<Key>, Value>` whose key serde is `.sessionWindowed(keySerde)`. When a record
/// joins sessions, their aggregates are combined with a merger and the table deletes the old
/// sessions (`nil` values downstream) before it adds the merged one. The store keeps sessions for
/// the inactivity gap plus the grace period, or longer with `Materialized.withRetention(_:)`.
///
/// ```swift
/// builder.stream("clicks", consumed: .with(key: .string, value: .string))
///     .groupByKey()
///     .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(.seconds(300)))
///     .count(materialized: .as("visits"))
/// ```
public final class SessionWindowedKStream<Key, Value> {
    let grouped: KGroupedStream<Key, Value>
    let windows: SessionWindows
    let strategy: EmitStrategy

    init(grouped: KGroupedStream<Key, Value>, windows: SessionWindows, emitStrategy: EmitStrategy) {
        self.grouped = grouped
        self.windows = windows
        self.strategy = emitStrategy
    }

    /// The same windowed stream, emitting its aggregations' results as `strategy` says: every
    /// update (the default) or, with ``EmitStrategy/onWindowClose``, once per session when it
    /// closes.
    public func emitStrategy(_ strategy: EmitStrategy) -> SessionWindowedKStream {
        SessionWindowedKStream(grouped: grouped, windows: windows, emitStrategy: strategy)
    }

    /// Counts records per key and session; merged sessions add their counts.
    @discardableResult
    public func count(named: Named? = nil, materialized: Materialized<Key, Int64> = .init())
        -> KTable<Windowed<Key>, Int64>
    {
        // Kafka Streams takes (and wastes) a store index here; so do we, so that generated names match.
        if materialized.storeName == nil { _ = grouped.builder.topology.newName("KSTREAM-AGGREGATE-STATE-STORE-") }
        return build(
            prefix: "KSTREAM-AGGREGATE-", named: named, materialized: materialized, aggregateSerde: .int64,
            add: { _, _, count in (count ?? 0) + 1 }, merge: { _, one, two in (one ?? 0) + two })
    }

    /// Combines the values of each key and session with `reducer(aggregate, value)`; merged
    /// sessions are combined with it too (`reducer(earlier session, later session)`).
    @discardableResult
    public func reduce(
        named: Named? = nil, materialized: Materialized<Key, Value> = .init(),
        _ reducer: @escaping @Sendable (Value, Value) throws -> Value
    ) -> KTable<Windowed<Key>, Value> {
        build(
            prefix: "KSTREAM-REDUCE-", named: named, materialized: materialized, aggregateSerde: grouped.valueSerde,
            add: { _, value, aggregate in
                guard let aggregate else { return value }
                return try reducer(aggregate, value)
            },
            merge: { _, one, two in
                guard let one else { return two }
                return try reducer(one, two)
            })
    }

    /// Folds the values of each key and session into an aggregate that starts as
    /// `initializer()`, with `aggregator(key, value, aggregate)`; when a record joins sessions,
    /// `merger(key, aggregate, sessionAggregate)` combines their aggregates first.
    @discardableResult
    public func aggregate<Aggregate>(
        initializer: @escaping @Sendable () throws -> Aggregate,
        merger: @escaping @Sendable (Key, Aggregate, Aggregate) throws -> Aggregate, named: Named? = nil,
        materialized: Materialized<Key, Aggregate> = .init(),
        _ aggregator: @escaping @Sendable (Key, Value, Aggregate) throws -> Aggregate
    ) -> KTable<Windowed<Key>, Aggregate> {
        build(
            prefix: "KSTREAM-AGGREGATE-", named: named, materialized: materialized, aggregateSerde: nil,
            add: { key, value, aggregate in try aggregator(key, value, try aggregate ?? initializer()) },
            merge: { key, one, two in try merger(key, try one ?? initializer(), two) })
    }

    /// With ``EmitStrategy/onWindowClose`` the store keeps windows one millisecond longer than
    /// asked, so that a window whose end is exactly the previous close time is still readable
    /// when the next record closes it (Kafka Streams' time-ordered stores read one millisecond
    /// further for the same reason).
    private func storeRetention(_ retention: Int64) -> Int64 {
        strategy == .onWindowClose ? saturatingAdd(retention, 1) : retention
    }

    private func build<Aggregate>(
        prefix: String, named: Named?, materialized: Materialized<Key, Aggregate>, aggregateSerde: Serde<Aggregate>?,
        add: @escaping @Sendable (Key, Value, Aggregate?) throws -> Aggregate,
        merge: @escaping @Sendable (Key, Aggregate?, Aggregate) throws -> Aggregate
    ) -> KTable<Windowed<Key>, Aggregate> {
        let builder = grouped.builder
        let topology = builder.topology
        let storeName = materialized.storeName ?? topology.newName("\(prefix)STATE-STORE-")
        let node = named?.name ?? topology.newName(prefix)
        let key = builder.serde(materialized.keySerde, grouped.keySerde, node: node)
        let aggregate = builder.serde(materialized.valueSerde, aggregateSerde, node: node)
        let source = grouped.aggregationSource(node: node, storeName: storeName, materialized: materialized)
        let windows = windows
        let strategy = strategy
        builder.record { try windows.validate() }
        let retention = builder.windowStoreRetention(
            materialized.retention, minimum: saturatingAdd(windows.gapMs, windows.graceMs), store: storeName,
            requirement: "the inactivity gap plus grace period (\(windows.inactivityGap) + \(windows.gracePeriod))")
        builder.addSessionAggregateStore(
            storeName, materialized: materialized, key: key, value: aggregate, retention: storeRetention(retention))
        builder.addProcessor(node, parents: [source], stores: [storeName]) { task in
            KStreamSessionWindowAggregate<Key, Value, Aggregate>(
                name: node, storeName: storeName, windows: windows, emitStrategy: strategy, task: task, add: add,
                merge: merge)
        }
        builder.windowCloseDelays[node] = saturatingAdd(windows.gapMs, windows.graceMs)
        return KTable(
            builder: builder, name: node, key: .sessionWindowed(key), value: aggregate, storeName: nil,
            windowedStoreName: storeName)
    }
}
