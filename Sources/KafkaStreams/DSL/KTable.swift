/// A changelog stream seen as a table: the latest value per key.
///
/// Tables forward every change with the value it replaces, so that aggregations of re-grouped
/// tables subtract what a key no longer contributes.
public final class KTable<Key, Value> {
    let builder: StreamsBuilder
    let name: String
    let keySerde: Serde<Key>?
    let valueSerde: Serde<Value>?
    /// The store holding this table's values, when it is materialized.
    let storeName: String?
    /// How joins read this table when it has no store: computed from its parents' (set by
    /// `filter`, `mapValues` and joins without `materialized`; see `KTable+ValueGetter.swift`).
    var derivedValueGetter: KTableValueGetterSupplier<Key, Value>?

    /// The window or session store of a windowed aggregation's table: queryable
    /// (``StoreQueryParameters/windowStore(name:key:value:)``), but not a key-value store, so joins
    /// and value getters do not read it.
    let windowedStoreName: String?

    init(
        builder: StreamsBuilder, name: String, key: Serde<Key>?, value: Serde<Value>?, storeName: String?,
        windowedStoreName: String? = nil
    ) {
        self.builder = builder
        self.name = name
        self.keySerde = key
        self.valueSerde = value
        self.storeName = storeName
        self.windowedStoreName = windowedStoreName
    }

    /// The name of the table's store, for interactive queries; `nil` when it is not materialized.
    ///
    /// A windowed aggregation's table names its window or session store: query it with
    /// ``StoreQueryParameters/windowStore(name:key:value:)`` or
    /// ``StoreQueryParameters/sessionStore(name:key:value:)``.
    public var queryableStoreName: String? { storeName ?? windowedStoreName }

    private var topology: Topology { builder.topology }

    /// Keeps the rows for which `predicate` holds; a row that stops matching is deleted downstream.
    public func filter(
        named: Named? = nil, materialized: Materialized<Key, Value>? = nil,
        _ predicate: @escaping @Sendable (Key, Value) throws -> Bool
    ) -> KTable {
        filter(keep: true, named: named, materialized: materialized, predicate)
    }

    /// Drops the rows for which `predicate` holds.
    public func filterNot(
        named: Named? = nil, materialized: Materialized<Key, Value>? = nil,
        _ predicate: @escaping @Sendable (Key, Value) throws -> Bool
    ) -> KTable {
        filter(keep: false, named: named, materialized: materialized, predicate)
    }

    private func filter(
        keep: Bool, named: Named?, materialized: Materialized<Key, Value>?,
        _ predicate: @escaping @Sendable (Key, Value) throws -> Bool
    ) -> KTable {
        let node = named?.name ?? topology.newName("KTABLE-FILTER-")
        let store = materialize(materialized, node: node, key: keySerde, value: valueSerde)
        builder.addProcessor(node, parents: [name], stores: store.map { [$0.name] } ?? []) { _ in
            KTableFilter(name: node, keep: keep, materialized: store, predicate: predicate)
        }
        let table = KTable(
            builder: builder, name: node, key: store?.key ?? keySerde, value: store?.value ?? valueSerde,
            storeName: store?.name)
        if store == nil { table.derivedValueGetter = .filter(valueGetterSupplier, keep: keep, predicate: predicate) }
        return table
    }

    /// Maps each value; deletes stay deletes.
    public func mapValues<NewValue>(
        named: Named? = nil, materialized: Materialized<Key, NewValue>? = nil,
        _ mapper: @escaping @Sendable (Value) throws -> NewValue
    ) -> KTable<Key, NewValue> {
        mapValues(named: named, materialized: materialized, withKey: { _, value in try mapper(value) })
    }

    /// Maps each value, seeing the key.
    public func mapValues<NewValue>(
        named: Named? = nil, materialized: Materialized<Key, NewValue>? = nil,
        withKey mapper: @escaping @Sendable (Key, Value) throws -> NewValue
    ) -> KTable<Key, NewValue> {
        let node = named?.name ?? topology.newName("KTABLE-MAPVALUES-")
        let store = materialize(materialized, node: node, key: keySerde, value: nil)
        builder.addProcessor(node, parents: [name], stores: store.map { [$0.name] } ?? []) { _ in
            KTableMapValues(name: node, materialized: store, mapper: mapper)
        }
        let table = KTable<Key, NewValue>(
            builder: builder, name: node, key: store?.key ?? keySerde, value: store?.value, storeName: store?.name)
        if store == nil { table.derivedValueGetter = .mapValues(valueGetterSupplier, mapper: mapper) }
        return table
    }

    /// The table's updates as a stream: each new value, and `nil` where a key was deleted.
    ///
    /// Write it to a topic with `to(_:produced:)`, where `nil` becomes a tombstone.
    public func toStream(named: Named? = nil) -> KStream<Key, Value?> {
        let node = named?.name ?? topology.newName("KTABLE-TOSTREAM-")
        builder.addProcessor(node, parents: [name]) { _ in KTableToStream<Key, Value>(name: node) }
        return KStream(
            builder: builder, name: node, key: keySerde, value: valueSerde.map { .optional($0) },
            repartitionRequired: false)
    }

    /// Re-groups the table by a new key and value, for aggregations with adder and subtractor.
    /// Always repartitions. A `grouped` name names the select processor and the repartition
    /// topic (`<name>-repartition`), as in Kafka Streams.
    public func groupBy<NewKey, NewValue>(
        grouped: Grouped<NewKey, NewValue>? = nil,
        _ selector: @escaping @Sendable (Key, Value) throws -> (NewKey, NewValue)
    ) -> KGroupedTable<NewKey, NewValue> {
        let node = grouped?.name ?? topology.newName("KTABLE-SELECT-")
        builder.addProcessor(node, parents: [name]) { _ in KTableRepartitionMap(name: node, selector: selector) }
        return KGroupedTable(
            builder: builder, parent: node, key: builder.serde(grouped?.keySerde, node: node),
            value: builder.serde(grouped?.valueSerde, node: node), repartitionName: grouped?.name)
    }

    /// Adds a store for a table operator when `materialized` asks for one.
    private func materialize<V>(
        _ materialized: Materialized<Key, V>?, node: String, key: Serde<Key>?, value: Serde<V>?
    ) -> (name: String, key: Serde<Key>, value: Serde<V>)? {
        guard let materialized else { return nil }
        let storeName = materialized.storeName ?? topology.newName("\(node)-STATE-STORE-")
        let keySerde = builder.serde(materialized.keySerde, key, node: node)
        let valueSerde = builder.serde(materialized.valueSerde, value, node: node)
        builder.addTableStore(storeName, materialized: materialized, key: keySerde, value: valueSerde)
        return (storeName, keySerde, valueSerde)
    }
}
