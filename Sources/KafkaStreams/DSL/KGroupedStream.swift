/// A stream grouped by key, ready for aggregation.
///
/// Aggregations keep one value per key in a state store and return its updates as a ``KTable``.
/// If keys were changed before grouping, records first go through a repartition topic named
/// after the grouping or the store, so that each key is aggregated by one task.
public final class KGroupedStream<Key, Value> {
    let builder: StreamsBuilder
    let parent: String
    /// Serdes from `Grouped` or the stream, resolved (with the types' defaults) only where needed:
    /// the store's key, the repartition topic, a reduce's store value.
    let keySerde: Serde<Key>?
    let valueSerde: Serde<Value>?
    let repartitionName: String?
    let repartitionRequired: Bool

    init(
        builder: StreamsBuilder, parent: String, key: Serde<Key>?, value: Serde<Value>?, repartitionName: String?,
        repartitionRequired: Bool
    ) {
        self.builder = builder
        self.parent = parent
        self.keySerde = key
        self.valueSerde = value
        self.repartitionName = repartitionName
        self.repartitionRequired = repartitionRequired
    }

    /// Counts records per key.
    @discardableResult
    public func count(named: Named? = nil, materialized: Materialized<Key, Int64> = .init()) -> KTable<Key, Int64> {
        build(
            prefix: "KSTREAM-AGGREGATE-", named: named, materialized: materialized, aggregateSerde: .int64
        ) { node, storeName, key, aggregate, task in
            KStreamCount<Key, Value>(name: node, storeName: storeName, key: key, aggregate: aggregate, task: task)
        }
    }

    /// Combines the values of each key with `reducer(aggregate, value)`; the first value is the
    /// first aggregate.
    @discardableResult
    public func reduce(
        named: Named? = nil, materialized: Materialized<Key, Value> = .init(),
        _ reducer: @escaping @Sendable (Value, Value) throws -> Value
    ) -> KTable<Key, Value> {
        build(prefix: "KSTREAM-REDUCE-", named: named, materialized: materialized, aggregateSerde: valueSerde) {
            node, storeName, key, aggregate, task in
            KStreamAggregate<Key, Value, Value>(
                name: node, storeName: storeName, key: key, aggregate: aggregate, task: task
            ) { _, value, aggregate in
                guard let aggregate else { return value }
                return try reducer(aggregate, value)
            }
        }
    }

    /// Folds the values of each key into an aggregate that starts as `initializer()`, with
    /// `aggregator(key, value, aggregate)`.
    @discardableResult
    public func aggregate<Aggregate>(
        initializer: @escaping @Sendable () throws -> Aggregate, named: Named? = nil,
        materialized: Materialized<Key, Aggregate> = .init(),
        _ aggregator: @escaping @Sendable (Key, Value, Aggregate) throws -> Aggregate
    ) -> KTable<Key, Aggregate> {
        return build(prefix: "KSTREAM-AGGREGATE-", named: named, materialized: materialized, aggregateSerde: nil) {
            node, storeName, key, aggregate, task in
            KStreamAggregate<Key, Value, Aggregate>(
                name: node, storeName: storeName, key: key, aggregate: aggregate, task: task
            ) { key, value, aggregate in
                try aggregator(key, value, try aggregate ?? initializer())
            }
        }
    }

    private func build<Aggregate>(
        prefix: String, named: Named?, materialized: Materialized<Key, Aggregate>, aggregateSerde: Serde<Aggregate>?,
        makeNode: @escaping @Sendable (
            _ name: String, _ storeName: String, _ key: Serde<Key>, _ aggregate: Serde<Aggregate>, _ task: TaskContext
        ) -> AggregationNode<Key, Value, Aggregate>
    ) -> KTable<Key, Aggregate> {
        let topology = builder.topology
        let storeName = materialized.storeName ?? topology.newName("\(prefix)STATE-STORE-")
        let node = named?.name ?? topology.newName(prefix)
        let key = builder.serde(materialized.keySerde, keySerde, node: node)
        let aggregate = builder.serde(materialized.valueSerde, aggregateSerde, node: node)
        var source = parent
        if repartitionRequired {
            source = builder.repartition(
                from: parent, topic: "\(repartitionName ?? storeName)-repartition",
                key: builder.serde(keySerde, materialized.keySerde, node: node),
                value: builder.serde(valueSerde, node: node))
        }
        builder.addTableStore(storeName, materialized: materialized, key: key, value: aggregate)
        builder.addProcessor(node, parents: [source], stores: [storeName]) { task in
            makeNode(node, storeName, key, aggregate, task)
        }
        return KTable(builder: builder, name: node, key: key, value: aggregate, storeName: storeName)
    }
}
