// Joins of a stream: with another stream (windowed), with a table, with a global table.
//
// Inputs joined by key must be co-partitioned: a stream whose keys were changed (`map`,
// `selectKey`, ...) is first written through a repartition topic, and `start()` (or the test
// driver) checks that the joined topics have the same number of partitions.

extension KStream {
    // MARK: - Stream-stream

    /// Joins records of this stream and `other` that have the same key and timestamps within
    /// `windows`; each pair produces `joiner(value, otherValue)`, with the larger timestamp.
    ///
    /// Both sides' records are kept in window stores for `before + after + grace`. Records with
    /// a null key or value are dropped.
    ///
    /// ```swift
    /// impressions.join(clicks, windows: .ofTimeDifferenceWithNoGrace(.seconds(10))) { impression, click in
    ///     "\(impression) -> \(click)"
    /// }
    /// ```
    public func join<OtherValue, Result>(
        _ other: KStream<Key, OtherValue>, windows: JoinWindows,
        streamJoined: StreamJoined<Key, Value, OtherValue>? = nil,
        _ joiner: @escaping @Sendable (Value, OtherValue) throws -> Result
    ) -> KStream<Key, Result> {
        streamStreamJoin(other, windows: windows, streamJoined: streamJoined, leftOuter: false, rightOuter: false) {
            value, otherValue in try joiner(value!, otherValue!)
        }
    }

    /// Like ``join(_:windows:streamJoined:_:)``, and every record of this stream that finds no
    /// partner produces `joiner(value, nil)`, once its join window has closed (stream time past
    /// its end plus the grace period), never if a partner arrives in time.
    public func leftJoin<OtherValue, Result>(
        _ other: KStream<Key, OtherValue>, windows: JoinWindows,
        streamJoined: StreamJoined<Key, Value, OtherValue>? = nil,
        _ joiner: @escaping @Sendable (Value, OtherValue?) throws -> Result
    ) -> KStream<Key, Result> {
        streamStreamJoin(other, windows: windows, streamJoined: streamJoined, leftOuter: true, rightOuter: false) {
            value, otherValue in try joiner(value!, otherValue)
        }
    }

    /// Like ``leftJoin(_:windows:streamJoined:_:)`` for both sides: a record of either stream
    /// that finds no partner produces `joiner(value, nil)` or `joiner(nil, otherValue)` once its
    /// join window has closed.
    public func outerJoin<OtherValue, Result>(
        _ other: KStream<Key, OtherValue>, windows: JoinWindows,
        streamJoined: StreamJoined<Key, Value, OtherValue>? = nil,
        _ joiner: @escaping @Sendable (Value?, OtherValue?) throws -> Result
    ) -> KStream<Key, Result> {
        streamStreamJoin(
            other, windows: windows, streamJoined: streamJoined, leftOuter: true, rightOuter: true, joiner: joiner)
    }

    /// Builds a stream-stream join with Kafka Streams' names and stores (`KStreamImplJoin`).
    private func streamStreamJoin<OtherValue, Result>(
        _ other: KStream<Key, OtherValue>, windows: JoinWindows, streamJoined: StreamJoined<Key, Value, OtherValue>?,
        leftOuter: Bool, rightOuter: Bool, joiner: @escaping @Sendable (Value?, OtherValue?) throws -> Result
    ) -> KStream<Key, Result> {
        let topology = builder.topology
        let joined = streamJoined ?? StreamJoined()
        builder.record {
            try windows.validate()
            guard other.builder === builder else {
                throw TopologyError.invalidTopology("cannot join \(name) with \(other.name) of another StreamsBuilder")
            }
        }
        var left = self
        var right = other
        if left.repartitionRequired {
            left = left.repartitionForJoin(
                joined.name.map { "\($0)-left" } ?? left.name, key: joined.keySerde, value: joined.valueSerde)
        }
        if right.repartitionRequired {
            right = right.repartitionForJoin(
                joined.name.map { "\($0)-right" } ?? right.name, key: joined.keySerde, value: joined.otherValueSerde)
        }
        topology.copartition([left.name, right.name])

        let thisSuffix = rightOuter ? "-outer-this-join" : "-this-join"
        let otherSuffix = leftOuter ? "-outer-other-join" : "-other-join"
        let thisWindowedName = joined.name.map { "\($0)-this-windowed" } ?? topology.newName("KSTREAM-WINDOWED-")
        let otherWindowedName = joined.name.map { "\($0)-other-windowed" } ?? topology.newName("KSTREAM-WINDOWED-")
        let thisPrefix = rightOuter ? "KSTREAM-OUTERTHIS-" : "KSTREAM-JOINTHIS-"
        let joinThisGenerated = topology.newName(thisPrefix)
        let joinOtherGenerated = topology.newName(leftOuter ? "KSTREAM-OUTEROTHER-" : "KSTREAM-JOINOTHER-")
        let joinThisName = joined.name.map { $0 + thisSuffix } ?? joinThisGenerated
        let joinOtherName = joined.name.map { $0 + otherSuffix } ?? joinOtherGenerated
        let mergeName = joined.name.map { "\($0)-merge" } ?? topology.newName("KSTREAM-MERGE-")

        let keySerde = builder.serde(joined.keySerde, left.keySerde, right.keySerde, node: joinThisName)
        let thisValueSerde = builder.serde(joined.valueSerde, left.valueSerde, node: joinThisName)
        let otherValueSerde = builder.serde(joined.otherValueSerde, right.valueSerde, node: joinOtherName)

        // The two window stores: from the suppliers given, else RocksDB stores that keep every
        // record (duplicates) for size + grace.
        let thisStore = windowStore(
            joined.thisStoreSupplier, name: (joined.storeName.map { $0 + thisSuffix } ?? joinThisGenerated) + "-store",
            windows: windows, logging: joined.loggingEnabled, logConfig: joined.logConfig, key: keySerde,
            value: thisValueSerde)
        let otherStore = windowStore(
            joined.otherStoreSupplier,
            name: (joined.storeName.map { $0 + otherSuffix } ?? joinOtherGenerated) + "-store",
            windows: windows, logging: joined.loggingEnabled, logConfig: joined.logConfig, key: keySerde,
            value: otherValueSerde)
        builder.record {
            if let one = joined.thisStoreSupplier, let two = joined.otherStoreSupplier, one.name == two.name {
                throw TopologyError.invalidTopology(
                    "the two window stores of join \(mergeName) have the same name \(one.name); store suppliers must have unique names")
            }
        }
        var outerStore: String?
        if leftOuter {
            let suffix = rightOuter ? "-outer-shared-join" : "-left-shared-join"
            let base: String
            if let supplier = joined.thisStoreSupplier, !supplier.name.isEmpty {
                base = supplier.name + suffix
            } else if let storeName = joined.storeName {
                base = storeName + suffix
            } else {
                base = "KSTREAM-OUTERSHARED-" + joinThisGenerated.dropFirst(thisPrefix.count)
            }
            let name = base + "-store"
            outerStore = name
            let engine: StoreDefinition.Engine = joined.thisStoreSupplier?.isPersistent == false ? .inMemory : .persistent
            builder.record {
                try topology.add(
                    store: StoreDefinition(
                        name: name, engine: engine, timestamped: false, loggingEnabled: joined.loggingEnabled,
                        changelogConfigs: joined.logConfig, cachingEnabled: false,
                        makeTypedStore: { bytes, _ in
                            KeyValueStore<[UInt8], [UInt8]>(
                                bytes: bytes, key: .bytes, value: .bytes, timestamped: false, currentTimestamp: { 0 })
                        }))
            }
        }

        let outerStoreName = outerStore
        let storeForErrors = outerStore ?? mergeName
        let joinStored: @Sendable (ArraySlice<UInt8>) throws -> Result = { bytes in
            guard let side = bytes.first else {
                throw StreamsError.stateStore(store: storeForErrors, message: "an empty outer join value")
            }
            let value = bytes.dropFirst()
            return try value.withUnsafeBytes { raw in
                side == 1
                    ? try joiner(try thisValueSerde.deserialize(raw), nil)
                    : try joiner(nil, try otherValueSerde.deserialize(raw))
            }
        }
        let leftSide = KStreamKStreamJoinNode<Key, Value, OtherValue, Result>.Side(
            joinName: mergeName, isLeftSide: true, outer: leftOuter, otherStoreName: otherStore,
            outerStoreName: outerStoreName, windows: .left(windows), keySerde: keySerde,
            joinMatched: { value, otherValue in try joiner(value, otherValue) },
            joinUnmatched: { value in try joiner(value, nil) },
            encodeThis: { value in OuterJoinStore.leftOrRight(isLeftSide: true, try thisValueSerde.serialize(value) ?? []) },
            joinStored: joinStored)
        let rightSide = KStreamKStreamJoinNode<Key, OtherValue, Value, Result>.Side(
            joinName: mergeName, isLeftSide: false, outer: rightOuter, otherStoreName: thisStore,
            outerStoreName: outerStoreName, windows: .right(windows), keySerde: keySerde,
            joinMatched: { otherValue, value in try joiner(value, otherValue) },
            joinUnmatched: { otherValue in try joiner(nil, otherValue) },
            encodeThis: { value in OuterJoinStore.leftOrRight(isLeftSide: false, try otherValueSerde.serialize(value) ?? []) },
            joinStored: joinStored)

        builder.addProcessor(thisWindowedName, parents: [left.name], stores: [thisStore]) { _ in
            KStreamJoinWindowNode<Key, Value>(name: thisWindowedName, storeName: thisStore)
        }
        builder.addProcessor(otherWindowedName, parents: [right.name], stores: [otherStore]) { _ in
            KStreamJoinWindowNode<Key, OtherValue>(name: otherWindowedName, storeName: otherStore)
        }
        let outerStores = outerStore.map { [$0] } ?? []
        builder.addProcessor(joinThisName, parents: [thisWindowedName], stores: [otherStore] + outerStores) { _ in
            KStreamKStreamJoinNode(name: joinThisName, side: leftSide)
        }
        builder.addProcessor(joinOtherName, parents: [otherWindowedName], stores: [thisStore] + outerStores) { _ in
            KStreamKStreamJoinNode(name: joinOtherName, side: rightSide)
        }
        builder.addProcessor(mergeName, parents: [joinThisName, joinOtherName]) { _ in
            KStreamPassThrough<Key, Result>(name: mergeName)
        }
        return KStream<Key, Result>(
            builder: builder, name: mergeName, key: joined.keySerde ?? left.keySerde ?? right.keySerde, value: nil,
            repartitionRequired: false)
    }

    /// Adds one side's window store of a stream-stream join; returns its name.
    private func windowStore<Stored>(
        _ supplier: WindowBytesStoreSupplier?, name: String, windows: JoinWindows, logging: Bool,
        logConfig: [String: String], key: Serde<Key>, value: Serde<Stored>
    ) -> String {
        let retention = Duration.milliseconds(max(0, windows.retentionMs))
        let size = Duration.milliseconds(max(0, windows.sizeMs))
        let chosen = supplier ?? Stores.persistentWindowStore(name, retentionPeriod: retention, windowSize: size, retainDuplicates: true)
        builder.record {
            guard chosen.retainDuplicates else {
                throw TopologyError.invalidTopology(
                    "window store \(chosen.name) of a stream-stream join must retain duplicates")
            }
            guard chosen.retentionPeriod.milliseconds == windows.retentionMs && chosen.windowSize.milliseconds == windows.sizeMs
            else {
                throw TopologyError.invalidTopology(
                    "window store \(chosen.name) (retention \(chosen.retentionPeriod), window size \(chosen.windowSize)) "
                        + "must match \(windows): retention = before + after + grace, window size = before + after")
            }
        }
        var store = Stores.windowStoreBuilder(chosen, key: key, value: value)
        if logging {
            // Duplicates are kept, so the changelog must not be compacted (as in Kafka Streams).
            store = store.withLoggingEnabled(logConfig.merging(["cleanup.policy": "delete"]) { _, new in new })
        } else {
            store = store.withLoggingDisabled()
        }
        builder.addStateStore(store)
        return chosen.name
    }

    // MARK: - Stream-table

    /// Joins each record with the table's current value for its key: `joiner(value, tableValue)`,
    /// only for records whose key is in the table. Table updates produce nothing.
    ///
    /// The table is looked up when the record is processed; records of a task are processed in
    /// timestamp order across its partitions, so the lookup sees the table as of the record's
    /// time. Records with a null key or value are dropped.
    ///
    /// ```swift
    /// views.join(users) { view, user in EnrichedView(view: view, user: user) }
    /// ```
    public func join<TableValue, Result>(
        _ table: KTable<Key, TableValue>, joined: Joined<Key, Value, TableValue>? = nil,
        _ joiner: @escaping @Sendable (Value, TableValue) throws -> Result
    ) -> KStream<Key, Result> {
        streamTableJoin(table, joined: joined, joinFound: joiner, joinMissing: nil)
    }

    /// Like ``join(_:joined:_:)``, and records whose key is not in the table produce
    /// `joiner(value, nil)`.
    public func leftJoin<TableValue, Result>(
        _ table: KTable<Key, TableValue>, joined: Joined<Key, Value, TableValue>? = nil,
        _ joiner: @escaping @Sendable (Value, TableValue?) throws -> Result
    ) -> KStream<Key, Result> {
        streamTableJoin(
            table, joined: joined, joinFound: { value, tableValue in try joiner(value, tableValue) },
            joinMissing: { value in try joiner(value, nil) })
    }

    /// A stream-table join: `joinFound` for records whose key the table has, `joinMissing` for the
    /// others (a left join), which an inner join (`nil`) drops.
    private func streamTableJoin<TableValue, Result>(
        _ table: KTable<Key, TableValue>, joined: Joined<Key, Value, TableValue>?,
        joinFound: @escaping @Sendable (Value, TableValue) throws -> Result,
        joinMissing: (@Sendable (Value) throws -> Result)?
    ) -> KStream<Key, Result> {
        let leftJoin = joinMissing != nil
        let topology = builder.topology
        builder.record {
            guard table.builder === builder else {
                throw TopologyError.invalidTopology("cannot join \(name) with the table \(table.name) of another StreamsBuilder")
            }
        }
        var stream = self
        if repartitionRequired {
            stream = repartitionForJoin(joined?.name ?? name, key: joined?.keySerde, value: joined?.valueSerde)
        }
        topology.copartition([stream.name, table.name])
        let node = joined?.name ?? topology.newName(leftJoin ? "KSTREAM-LEFTJOIN-" : "KSTREAM-JOIN-")
        let getter = table.valueGetterSupplier
        builder.addProcessor(node, parents: [stream.name], stores: getter.storeNames) { _ in
            KStreamKTableJoinNode<Key, Value, Key, TableValue, Result>(
                name: node, getter: getter, keySelector: { key, _ in key }, joinFound: joinFound,
                joinMissing: joinMissing)
        }
        return KStream<Key, Result>(
            builder: builder, name: node, key: joined?.keySerde ?? stream.keySerde, value: nil, repartitionRequired: false)
    }

    // MARK: - Global tables

    /// Joins each record with the global table's current value for `keySelector(key, value)`:
    /// `joiner(value, globalValue)`, only when the table has that key.
    ///
    /// A global table is fully replicated to every instance, so this needs no co-partitioning
    /// and no repartitioning, and the lookup key may be anything computed from the record. The
    /// table is read as it is when the record is processed (it is updated by the instance's
    /// global thread, independently of stream time). Records with a null value, or whose lookup
    /// key is null, are dropped.
    ///
    /// ```swift
    /// orders.join(products, keySelector: { _, order in order.productID }) { order, product in ... }
    /// ```
    public func join<GlobalKey, GlobalValue, Result>(
        _ globalTable: GlobalKTable<GlobalKey, GlobalValue>, named: Named? = nil,
        keySelector: @escaping @Sendable (Key, Value) throws -> GlobalKey,
        _ joiner: @escaping @Sendable (Value, GlobalValue) throws -> Result
    ) -> KStream<Key, Result> {
        globalTableJoin(globalTable, named: named, keySelector: keySelector, joinFound: joiner, joinMissing: nil)
    }

    /// Like ``join(_:named:keySelector:_:)``, and records whose lookup key is not in the table
    /// produce `joiner(value, nil)` (so do records whose own key is null).
    public func leftJoin<GlobalKey, GlobalValue, Result>(
        _ globalTable: GlobalKTable<GlobalKey, GlobalValue>, named: Named? = nil,
        keySelector: @escaping @Sendable (Key, Value) throws -> GlobalKey,
        _ joiner: @escaping @Sendable (Value, GlobalValue?) throws -> Result
    ) -> KStream<Key, Result> {
        globalTableJoin(
            globalTable, named: named, keySelector: keySelector,
            joinFound: { value, globalValue in try joiner(value, globalValue) },
            joinMissing: { value in try joiner(value, nil) })
    }

    /// A global-table join: `joinFound` for records whose lookup key the table has, `joinMissing`
    /// for the others (a left join), which an inner join (`nil`) drops.
    private func globalTableJoin<GlobalKey, GlobalValue, Result>(
        _ globalTable: GlobalKTable<GlobalKey, GlobalValue>, named: Named?,
        keySelector: @escaping @Sendable (Key, Value) throws -> GlobalKey,
        joinFound: @escaping @Sendable (Value, GlobalValue) throws -> Result,
        joinMissing: (@Sendable (Value) throws -> Result)?
    ) -> KStream<Key, Result> {
        builder.record {
            guard globalTable.builder === builder else {
                throw TopologyError.invalidTopology(
                    "cannot join \(name) with the global table \(globalTable.storeName) of another StreamsBuilder")
            }
        }
        // Kafka Streams names both global-table joins `KSTREAM-LEFTJOIN-`.
        let node = named?.name ?? builder.topology.newName("KSTREAM-LEFTJOIN-")
        let getter = globalTable.valueGetterSupplier
        builder.addProcessor(node, parents: [name]) { _ in
            KStreamKTableJoinNode<Key, Value, GlobalKey, GlobalValue, Result>(
                name: node, getter: getter, keySelector: keySelector, joinFound: joinFound, joinMissing: joinMissing)
        }
        return KStream<Key, Result>(
            builder: builder, name: node, key: keySerde, value: nil, repartitionRequired: repartitionRequired)
    }

    // MARK: - Repartitioning

    /// Writes the stream through `<prefix>-repartition` before a join, partitioned by its
    /// current key (Kafka Streams' `repartitionForJoin`). The same stream joined twice under
    /// the same name reuses the topic.
    func repartitionForJoin(_ prefix: String, key: Serde<Key>?, value: Serde<Value>?) -> KStream {
        let topology = builder.topology
        let topic = prefix.hasSuffix("-repartition") ? prefix : "\(prefix)-repartition"
        let keySerde = builder.serde(key, self.keySerde, node: topic)
        let valueSerde = builder.serde(value, self.valueSerde, node: topic)
        let source: String
        if let existing = topology.repartitionSource(of: topic, writtenFrom: name) {
            // Kafka Streams still takes the three indexes of the repartition nodes.
            for prefix in ["KSTREAM-SINK-", "KSTREAM-FILTER-", "KSTREAM-SOURCE-"] { _ = topology.newName(prefix) }
            source = existing
        } else {
            source = builder.repartition(from: name, topic: topic, key: keySerde, value: valueSerde)
        }
        return KStream(builder: builder, name: source, key: keySerde, value: valueSerde, repartitionRequired: false)
    }
}
