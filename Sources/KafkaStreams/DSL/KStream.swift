/// An unbounded stream of records with keys `Key` and values `Value`.
///
/// Operators return new streams; nothing runs until the topology is started. Functions passed to
/// operators run on stream threads, so they are `@Sendable`; they may throw, and what they throw
/// goes to the processing exception handler.
public final class KStream<Key, Value> {
    let builder: StreamsBuilder
    let name: String
    let keySerde: Serde<Key>?
    let valueSerde: Serde<Value>?
    /// Set once keys may have changed since the source: grouping then repartitions.
    let repartitionRequired: Bool

    init(builder: StreamsBuilder, name: String, key: Serde<Key>?, value: Serde<Value>?, repartitionRequired: Bool) {
        self.builder = builder
        self.name = name
        self.keySerde = key
        self.valueSerde = value
        self.repartitionRequired = repartitionRequired
    }

    private var topology: Topology { builder.topology }

    private func derive<K, V>(_ name: String, key: Serde<K>?, value: Serde<V>?, keyChanged: Bool) -> KStream<K, V> {
        KStream<K, V>(
            builder: builder, name: name, key: key, value: value,
            repartitionRequired: repartitionRequired || keyChanged)
    }

    // MARK: - Stateless

    /// Keeps the records for which `predicate` is true.
    public func filter(named: Named? = nil, _ predicate: @escaping @Sendable (Key, Value) throws -> Bool) -> KStream {
        let node = named?.name ?? topology.newName("KSTREAM-FILTER-")
        builder.addProcessor(node, parents: [name]) { _ in KStreamFilter(name: node, keep: true, predicate: predicate) }
        return derive(node, key: keySerde, value: valueSerde, keyChanged: false)
    }

    /// Drops the records for which `predicate` is true.
    public func filterNot(named: Named? = nil, _ predicate: @escaping @Sendable (Key, Value) throws -> Bool) -> KStream {
        let node = named?.name ?? topology.newName("KSTREAM-FILTER-")
        builder.addProcessor(node, parents: [name]) { _ in KStreamFilter(name: node, keep: false, predicate: predicate) }
        return derive(node, key: keySerde, value: valueSerde, keyChanged: false)
    }

    /// Maps each record to a new key and value. Grouping or joining afterwards repartitions.
    public func map<NewKey, NewValue>(
        named: Named? = nil, _ mapper: @escaping @Sendable (Key, Value) throws -> (NewKey, NewValue)
    ) -> KStream<NewKey, NewValue> {
        let node = named?.name ?? topology.newName("KSTREAM-MAP-")
        builder.addProcessor(node, parents: [name]) { _ in KStreamMap(name: node, mapper: mapper) }
        return derive(node, key: nil, value: nil, keyChanged: true)
    }

    /// Maps each value; keys stay, so no repartitioning follows.
    public func mapValues<NewValue>(
        named: Named? = nil, _ mapper: @escaping @Sendable (Value) throws -> NewValue
    ) -> KStream<Key, NewValue> {
        let node = named?.name ?? topology.newName("KSTREAM-MAPVALUES-")
        builder.addProcessor(node, parents: [name]) { _ in
            KStreamMapValuesOfValue<Key, Value, NewValue>(name: node, mapper: mapper)
        }
        return derive(node, key: keySerde, value: nil, keyChanged: false)
    }

    /// Maps each value, seeing the key (which must not be changed).
    public func mapValues<NewValue>(
        named: Named? = nil, withKey mapper: @escaping @Sendable (Key, Value) throws -> NewValue
    ) -> KStream<Key, NewValue> {
        let node = named?.name ?? topology.newName("KSTREAM-MAPVALUES-")
        builder.addProcessor(node, parents: [name]) { _ in KStreamMapValues(name: node, mapper: mapper) }
        return derive(node, key: keySerde, value: nil, keyChanged: false)
    }

    /// Maps each record to zero or more records.
    public func flatMap<NewKey, NewValue, Results: Sequence & SendableMetatype>(
        named: Named? = nil, _ mapper: @escaping @Sendable (Key, Value) throws -> Results
    ) -> KStream<NewKey, NewValue> where Results.Element == (NewKey, NewValue) {
        let node = named?.name ?? topology.newName("KSTREAM-FLATMAP-")
        builder.addProcessor(node, parents: [name]) { _ in KStreamFlatMap(name: node, mapper: mapper) }
        return derive(node, key: nil, value: nil, keyChanged: true)
    }

    /// Maps each value to zero or more values with the same key.
    public func flatMapValues<Results: Sequence & SendableMetatype>(
        named: Named? = nil, _ mapper: @escaping @Sendable (Value) throws -> Results
    ) -> KStream<Key, Results.Element> {
        let node = named?.name ?? topology.newName("KSTREAM-FLATMAPVALUES-")
        builder.addProcessor(node, parents: [name]) { _ in
            KStreamFlatMapValues<Key, Value, Results>(name: node) { _, value in try mapper(value) }
        }
        return derive(node, key: keySerde, value: nil, keyChanged: false)
    }

    /// Gives each record a new key computed from key and value.
    public func selectKey<NewKey>(
        named: Named? = nil, _ selector: @escaping @Sendable (Key, Value) throws -> NewKey
    ) -> KStream<NewKey, Value> {
        let node = named?.name ?? topology.newName("KSTREAM-KEY-SELECT-")
        builder.addProcessor(node, parents: [name]) { _ in KStreamSelectKey(name: node, selector: selector) }
        return derive(node, key: nil, value: valueSerde, keyChanged: true)
    }

    /// Calls `action` for each record and passes the record on.
    public func peek(named: Named? = nil, _ action: @escaping @Sendable (Key, Value) throws -> Void) -> KStream {
        let node = named?.name ?? topology.newName("KSTREAM-PEEK-")
        builder.addProcessor(node, parents: [name]) { _ in KStreamPeek(name: node, action: action) }
        return derive(node, key: keySerde, value: valueSerde, keyChanged: false)
    }

    /// Calls `action` for each record; the stream ends here.
    public func foreach(named: Named? = nil, _ action: @escaping @Sendable (Key, Value) throws -> Void) {
        let node = named?.name ?? topology.newName("KSTREAM-FOREACH-")
        builder.addProcessor(node, parents: [name]) { _ in KStreamPeek(name: node, action: action) }
    }

    /// The records of both streams. Within a task, records are processed in timestamp order.
    public func merge(_ other: KStream<Key, Value>, named: Named? = nil) -> KStream {
        let node = named?.name ?? topology.newName("KSTREAM-MERGE-")
        builder.addProcessor(node, parents: [name, other.name]) { _ in KStreamPassThrough<Key, Value>(name: node) }
        return KStream(
            builder: builder, name: node, key: keySerde ?? other.keySerde, value: valueSerde ?? other.valueSerde,
            repartitionRequired: repartitionRequired || other.repartitionRequired)
    }

    /// Splits the stream into branches by predicates; see ``BranchedKStream``.
    public func split(named: Named? = nil) -> BranchedKStream<Key, Value> {
        let node = named?.name ?? topology.newName("KSTREAM-BRANCH-")
        return BranchedKStream(parent: self, splitName: node, prefix: named?.name ?? node)
    }

    /// Writes the stream through a repartition topic (`<applicationID>-<name>-repartition`) and
    /// reads it back, partitioned by the current key.
    public func repartition(_ repartitioned: Repartitioned<Key, Value> = .init()) -> KStream {
        let base = repartitioned.name ?? topology.newName("KSTREAM-REPARTITION-")
        let topic = "\(base)-repartition"
        let key = builder.serde(repartitioned.keySerde, keySerde, node: topic)
        let value = builder.serde(repartitioned.valueSerde, valueSerde, node: topic)
        let source = builder.repartition(
            from: name, topic: topic, key: key, value: value, partitions: repartitioned.numberOfPartitions,
            partitioner: repartitioned.partitioner)
        return KStream(builder: builder, name: source, key: key, value: value, repartitionRequired: false)
    }

    /// Writes the stream to `topic`.
    public func to(_ topic: String, produced: Produced<Key, Value>? = nil) {
        let node = produced?.processorName ?? topology.newName("KSTREAM-SINK-")
        builder.addSink(
            node, topic: topic, key: builder.serde(produced?.keySerde, keySerde, node: node),
            value: builder.serde(produced?.valueSerde, valueSerde, node: node), parent: name,
            partitioner: produced?.partitioner)
    }

    // MARK: - Grouping and tables

    /// Groups by the current key, for aggregation. Repartitions first if keys were changed.
    public func groupByKey(grouped: Grouped<Key, Value>? = nil) -> KGroupedStream<Key, Value> {
        KGroupedStream(
            builder: builder, parent: name,
            key: grouped?.keySerde ?? keySerde, value: grouped?.valueSerde ?? valueSerde,
            repartitionName: grouped?.name, repartitionRequired: repartitionRequired)
    }

    /// Groups by a new key computed from each record; aggregation then repartitions by that key.
    public func groupBy<NewKey>(
        grouped: Grouped<NewKey, Value>? = nil, _ selector: @escaping @Sendable (Key, Value) throws -> NewKey
    ) -> KGroupedStream<NewKey, Value> {
        let node = topology.newName("KSTREAM-KEY-SELECT-")
        builder.addProcessor(node, parents: [name]) { _ in KStreamSelectKey(name: node, selector: selector) }
        return KGroupedStream(
            builder: builder, parent: node,
            key: grouped?.keySerde, value: grouped?.valueSerde ?? valueSerde,
            repartitionName: grouped?.name, repartitionRequired: true)
    }

    /// The latest value per key as a table. With an optional value type, `nil` deletes the key.
    @discardableResult
    public func toTable(named: Named? = nil, materialized: Materialized<Key, Value> = .init()) -> KTable<Key, Value> {
        let node = named?.name ?? topology.newName("KSTREAM-TOTABLE-")
        let storeName = materialized.storeName ?? topology.newName("KSTREAM-TOTABLE-STATE-STORE-")
        let key = builder.serde(materialized.keySerde, keySerde, node: node)
        let value = builder.serde(materialized.valueSerde, valueSerde, node: node)
        var parent = name
        if repartitionRequired {
            // Named after the processor, as Kafka Streams names it (not after the store).
            parent = builder.repartition(from: name, topic: "\(node)-repartition", key: key, value: value)
        }
        builder.addTableStore(storeName, materialized: materialized, key: key, value: value)
        builder.addProcessor(node, parents: [parent], stores: [storeName]) { task in
            KTableSource<Key, Value, Value>(upsertsOf: node, storeName: storeName, key: key, value: value, task: task)
        }
        return KTable(builder: builder, name: node, key: key, value: value, storeName: storeName)
    }

    // MARK: - Processor API

    /// Runs a ``Processor`` on each record; `stores` are the store names it uses (added to the
    /// topology with `addStateStore`). Keys may change, so grouping afterwards repartitions.
    public func process<P: Processor>(
        named: Named? = nil, stores: [String] = [],
        _ make: @escaping @Sendable (ProcessorContext<P.KeyOut, P.ValueOut>) throws -> P
    ) -> KStream<P.KeyOut, P.ValueOut> where P.KeyIn == Key, P.ValueIn == Value {
        let node = named?.name ?? topology.newName("KSTREAM-PROCESSOR-")
        builder.record {
            try topology.add(ProcessorAPINode<P>.definition(name: node, parents: [name], stores: stores, make: make))
        }
        return derive(node, key: nil, value: nil, keyChanged: true)
    }

    /// Runs a ``Processor`` of type `P`, made with `P(context:)`, on each record.
    public func process<P: Processor>(
        _ type: P.Type, named: Named? = nil, stores: [String] = []
    ) -> KStream<P.KeyOut, P.ValueOut> where P.KeyIn == Key, P.ValueIn == Value {
        process(named: named, stores: stores) { context in try P(context: context) }
    }

    /// Adds a store for processors of this stream to use (Kafka's `StreamsBuilder.addStateStore`).
    @discardableResult
    public func addStateStore<K, V>(_ store: StoreBuilder<K, V>) -> KStream {
        builder.addStateStore(store)
        return self
    }
}

extension KStream {
    /// Writes a stream of optional values to `topic`: `nil` becomes Kafka's null (a tombstone).
    ///
    /// This is how table updates reach a topic: `table.toStream().to("out", produced: .with(key: .string, value: .int64))`.
    public func to<Wrapped>(_ topic: String, produced: Produced<Key, Wrapped>) where Value == Wrapped? {
        let node = produced.processorName ?? topology.newName("KSTREAM-SINK-")
        let wrapped = builder.serde(produced.valueSerde, node: node)
        var partitioner: (@Sendable (Key, Wrapped?, Int32) -> Int32?)?
        if let userPartitioner = produced.partitioner {
            partitioner = { key, value, count in
                guard let value else { return nil }
                return userPartitioner(key, value, count)
            }
        }
        builder.addSink(
            node, topic: topic, key: builder.serde(produced.keySerde, keySerde, node: node),
            value: Serde<Wrapped?>.optional(wrapped), parent: name, partitioner: partitioner)
    }
}

extension StreamsBuilder {
    /// Adds a store for Processor API processors (`process(stores:)`) to use.
    @discardableResult
    public func addStateStore<K, V>(_ store: StoreBuilder<K, V>) -> StreamsBuilder {
        record { try topology.add(store: store.definition()) }
        return self
    }
}
