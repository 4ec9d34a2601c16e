// Table-table joins on the primary key. Each side's changes look up the other side's current
// value; the result is a table whose changes carry new and old values, so that downstream
// aggregations stay correct, and whose deletes are tombstones.

extension KTable {
    /// The table of `joiner(value, otherValue)` for the keys present in both tables.
    ///
    /// An update on either side updates the key's result (when the other side has the key); a
    /// delete on either side deletes it. Results get the larger of the two rows' timestamps.
    /// With `materialized`, the result is kept in a queryable store.
    ///
    /// ```swift
    /// let profiles = names.join(emails) { name, email in "\(name) <\(email)>" }
    /// ```
    @discardableResult
    public func join<OtherValue, Result>(
        _ other: KTable<Key, OtherValue>, named: Named? = nil, materialized: Materialized<Key, Result>? = nil,
        _ joiner: @escaping @Sendable (Value, OtherValue) throws -> Result
    ) -> KTable<Key, Result> {
        tableTableJoin(other, named: named, materialized: materialized, left: .inner, right: .inner) {
            value, otherValue in try joiner(value!, otherValue!)
        }
    }

    /// The table of `joiner(value, otherValue)` for every key of this table, with `nil` where
    /// `other` lacks the key.
    @discardableResult
    public func leftJoin<OtherValue, Result>(
        _ other: KTable<Key, OtherValue>, named: Named? = nil, materialized: Materialized<Key, Result>? = nil,
        _ joiner: @escaping @Sendable (Value, OtherValue?) throws -> Result
    ) -> KTable<Key, Result> {
        tableTableJoin(other, named: named, materialized: materialized, left: .left, right: .right) {
            value, otherValue in try joiner(value!, otherValue)
        }
    }

    /// The table of `joiner(value, otherValue)` for every key of either table, with `nil` for
    /// the side that lacks the key.
    @discardableResult
    public func outerJoin<OtherValue, Result>(
        _ other: KTable<Key, OtherValue>, named: Named? = nil, materialized: Materialized<Key, Result>? = nil,
        _ joiner: @escaping @Sendable (Value?, OtherValue?) throws -> Result
    ) -> KTable<Key, Result> {
        tableTableJoin(other, named: named, materialized: materialized, left: .outer, right: .outer, joiner: joiner)
    }

    /// Builds a table-table join with Kafka Streams' names (`KTableImpl.doJoin`): the store (if
    /// materialized without a name), `KTABLE-MERGE-`, `KTABLE-JOINTHIS-`, `KTABLE-JOINOTHER-`;
    /// a `Named` name `n` gives `n`, `n-join-this` and `n-join-other`.
    private func tableTableJoin<OtherValue, Result>(
        _ other: KTable<Key, OtherValue>, named: Named?, materialized: Materialized<Key, Result>?,
        left leftKind: KTableJoinKind, right rightKind: KTableJoinKind,
        joiner: @escaping @Sendable (Value?, OtherValue?) throws -> Result
    ) -> KTable<Key, Result> {
        let topology = builder.topology
        builder.record {
            guard other.builder === builder else {
                throw TopologyError.invalidTopology("cannot join \(name) with the table \(other.name) of another StreamsBuilder")
            }
        }
        let storeName = materialized.map { $0.storeName ?? topology.newName("KTABLE-MERGE-STATE-STORE-") }
        let mergeName = named?.name ?? topology.newName("KTABLE-MERGE-")
        topology.copartition([name, other.name])
        let joinThisName = named.map { "\($0.name)-join-this" } ?? topology.newName("KTABLE-JOINTHIS-")
        let joinOtherName = named.map { "\($0.name)-join-other" } ?? topology.newName("KTABLE-JOINOTHER-")

        let thisGetter = valueGetterSupplier
        let otherGetter = other.valueGetterSupplier
        let reversed: @Sendable (OtherValue?, Value?) throws -> Result = { otherValue, value in
            try joiner(value, otherValue)
        }
        builder.addProcessor(joinThisName, parents: [name], stores: otherGetter.storeNames) { _ in
            KTableKTableJoinNode(name: joinThisName, kind: leftKind, other: otherGetter, joiner: joiner)
        }
        builder.addProcessor(joinOtherName, parents: [other.name], stores: thisGetter.storeNames) { _ in
            KTableKTableJoinNode(name: joinOtherName, kind: rightKind, other: thisGetter, joiner: reversed)
        }
        var store: (name: String, key: Serde<Key>, value: Serde<Result>)?
        if let materialized, let storeName {
            let key = builder.serde(materialized.keySerde, keySerde, node: mergeName)
            let value = builder.serde(materialized.valueSerde, node: mergeName)
            builder.addTableStore(storeName, materialized: materialized, key: key, value: value)
            store = (storeName, key, value)
        }
        let merged = store
        builder.addProcessor(mergeName, parents: [joinThisName, joinOtherName], stores: store.map { [$0.name] } ?? []) { _ in
            KTableKTableJoinMergerNode<Key, Result>(name: mergeName, materialized: merged)
        }
        let result = KTable<Key, Result>(
            builder: builder, name: mergeName, key: store?.key ?? materialized?.keySerde ?? keySerde,
            value: store?.value, storeName: store?.name)
        if store == nil {
            result.derivedValueGetter = .join(leftKind, thisGetter, otherGetter, joiner: joiner)
        }
        return result
    }
}
