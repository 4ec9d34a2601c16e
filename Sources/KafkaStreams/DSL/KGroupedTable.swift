/// A table re-grouped by a new key, ready for aggregations that add new values and subtract
/// replaced ones.
public final class KGroupedTable<Key, Value> {
    let builder: StreamsBuilder
    let parent: String
    let keySerde: Serde<Key>
    let valueSerde: Serde<Value>
    let repartitionName: String?

    init(builder: StreamsBuilder, parent: String, key: Serde<Key>, value: Serde<Value>, repartitionName: String?) {
        self.builder = builder
        self.parent = parent
        self.keySerde = key
        self.valueSerde = value
        self.repartitionName = repartitionName
    }

    /// Counts the rows per new key.
    @discardableResult
    public func count(named: Named? = nil, materialized: Materialized<Key, Int64> = .init()) -> KTable<Key, Int64> {
        build(
            prefix: "KTABLE-AGGREGATE-", named: named, materialized: materialized, aggregateSerde: .int64,
            adder: { _, _, count in (count ?? 0) + 1 }, subtractor: { _, _, count in count - 1 })
    }

    /// Combines values per new key: `adder(aggregate, new)` for added rows and
    /// `subtractor(aggregate, old)` for replaced or deleted ones.
    @discardableResult
    public func reduce(
        named: Named? = nil, materialized: Materialized<Key, Value> = .init(),
        adder: @escaping @Sendable (Value, Value) throws -> Value,
        subtractor: @escaping @Sendable (Value, Value) throws -> Value
    ) -> KTable<Key, Value> {
        build(
            prefix: "KTABLE-REDUCE-", named: named, materialized: materialized, aggregateSerde: valueSerde,
            adder: { _, value, aggregate in
                guard let aggregate else { return value }
                return try adder(aggregate, value)
            },
            subtractor: { _, value, aggregate in try subtractor(aggregate, value) })
    }

    /// Folds rows per new key into an aggregate that starts as `initializer()`.
    @discardableResult
    public func aggregate<Aggregate>(
        initializer: @escaping @Sendable () throws -> Aggregate, named: Named? = nil,
        materialized: Materialized<Key, Aggregate> = .init(),
        adder: @escaping @Sendable (Key, Value, Aggregate) throws -> Aggregate,
        subtractor: @escaping @Sendable (Key, Value, Aggregate) throws -> Aggregate
    ) -> KTable<Key, Aggregate> {
        return build(
            prefix: "KTABLE-AGGREGATE-", named: named, materialized: materialized, aggregateSerde: nil,
            adder: { key, value, aggregate in try adder(key, value, try aggregate ?? initializer()) },
            subtractor: subtractor)
    }

    /// Names follow Kafka Streams: the store, then the repartition sink and source, then the
    /// aggregate processor; a `Named` name `n` gives `n-sink`, `n-source` and `n`.
    private func build<Aggregate>(
        prefix: String, named: Named?, materialized: Materialized<Key, Aggregate>, aggregateSerde: Serde<Aggregate>?,
        adder: @escaping @Sendable (Key, Value, Aggregate?) throws -> Aggregate,
        subtractor: @escaping @Sendable (Key, Value, Aggregate) throws -> Aggregate
    ) -> KTable<Key, Aggregate> {
        let topology = builder.topology
        let storeName = materialized.storeName ?? topology.newName("\(prefix)STATE-STORE-")
        let sinkName = named.map { "\($0.name)-sink" } ?? topology.newName("KSTREAM-SINK-")
        let sourceName = named.map { "\($0.name)-source" } ?? topology.newName("KSTREAM-SOURCE-")
        let node = named?.name ?? topology.newName(prefix)
        let key = materialized.keySerde ?? keySerde
        let aggregate = builder.serde(materialized.valueSerde, aggregateSerde, node: node)
        // Rows whose new key is null never reach here (the select node drops them), so unlike a
        // stream's repartition there is no null-key filter.
        let topic = "\(repartitionName ?? storeName)-repartition"
        let changeSerde = Serde<Change<Value>>.change(valueSerde)
        builder.addSink(sinkName, topic: topic, key: keySerde, value: changeSerde, parent: parent)
        topology.addRepartitionTopic(topic, partitions: nil)
        builder.record {
            try topology.add(SourceNode.definition(name: sourceName, topics: [topic], key: keySerde, value: changeSerde))
        }
        builder.addTableStore(storeName, materialized: materialized, key: key, value: aggregate)
        builder.addProcessor(node, parents: [sourceName], stores: [storeName]) { _ in
            KTableAggregate<Key, Value, Aggregate>(
                name: node, storeName: storeName, key: key, aggregate: aggregate, adder: adder, subtractor: subtractor)
        }
        return KTable(builder: builder, name: node, key: key, value: aggregate, storeName: storeName)
    }
}
