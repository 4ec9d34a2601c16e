// Foreign-key table joins (KIP-213): each row of this table joins the row of `other` whose key
// `foreignKeyExtractor` takes from its value, through two internal topics:
//
//   this table -> subscription-registration processor -> sink -> <...>-SUBSCRIPTION-REGISTRATION-<n>-topic
//       (partitioned by foreign key, like `other`) -> source -> subscription receive (store)
//       -> subscription join with `other` -> sink -> <...>-SUBSCRIPTION-RESPONSE-<n>-topic
//   other table -> foreign join subscription (prefix scan of the store) -> the same sink
//   response topic (partitioned by primary key, like this table) -> source -> response resolver
//       (joins with this table's current row, drops stale answers) -> result table (its store)

extension KTable {
    /// The table of `joiner(value, foreignValue)` for each row of this table whose foreign key,
    /// `foreignKeyExtractor(value)`, is a key of `other`.
    ///
    /// Correct under updates of either table and of the foreign key itself: a row whose foreign
    /// key changes moves to the new foreign row (or is deleted from the result if there is
    /// none), and answers for a value the row no longer has are dropped. Rows with a null
    /// foreign key are left out. The result is always materialized (Kafka Streams'
    /// `KTABLE-FK-JOIN-OUTPUT-` store, or the one `materialized` names), so that its updates
    /// carry old values.
    ///
    /// ```swift
    /// let enriched = orders.join(customers, foreignKeyExtractor: { order in order.customerID }) { order, customer in
    ///     EnrichedOrder(order: order, customerName: customer.name)
    /// }
    /// ```
    ///
    /// The two tables need not be co-partitioned: the internal topics take the partition counts
    /// of `other` and of this table.
    @discardableResult
    public func join<ForeignKey, ForeignValue, Result>(
        _ other: KTable<ForeignKey, ForeignValue>, foreignKeyExtractor: @escaping @Sendable (Value) throws -> ForeignKey,
        named: Named? = nil, materialized: Materialized<Key, Result> = .init(),
        _ joiner: @escaping @Sendable (Value, ForeignValue) throws -> Result
    ) -> KTable<Key, Result> {
        foreignKeyJoin(
            other, foreignKeyExtractor: foreignKeyExtractor, named: named, materialized: materialized, leftJoin: false
        ) { value, foreignValue in try joiner(value, foreignValue!) }
    }

    /// Like ``join(_:foreignKeyExtractor:named:materialized:_:)``, and every row of this table
    /// is in the result: `joiner(value, nil)` when its foreign key is null or not in `other`.
    @discardableResult
    public func leftJoin<ForeignKey, ForeignValue, Result>(
        _ other: KTable<ForeignKey, ForeignValue>, foreignKeyExtractor: @escaping @Sendable (Value) throws -> ForeignKey,
        named: Named? = nil, materialized: Materialized<Key, Result> = .init(),
        _ joiner: @escaping @Sendable (Value, ForeignValue?) throws -> Result
    ) -> KTable<Key, Result> {
        foreignKeyJoin(
            other, foreignKeyExtractor: foreignKeyExtractor, named: named, materialized: materialized, leftJoin: true,
            joiner: joiner)
    }

    /// Builds the foreign-key join with Kafka Streams' names (`KTableImpl.doJoinOnForeignKey`);
    /// a `Named` name `n` names everything after it (`n-subscription-registration-topic`,
    /// `n-subscription-store`, `n-result`, ...).
    private func foreignKeyJoin<ForeignKey, ForeignValue, Result>(
        _ other: KTable<ForeignKey, ForeignValue>, foreignKeyExtractor: @escaping @Sendable (Value) throws -> ForeignKey,
        named: Named?, materialized: Materialized<Key, Result>, leftJoin: Bool,
        joiner: @escaping @Sendable (Value, ForeignValue?) throws -> Result
    ) -> KTable<Key, Result> {
        let topology = builder.topology
        builder.record {
            guard other.builder === builder else {
                throw TopologyError.invalidTopology(
                    "cannot join \(self.name) with the table \(other.name) of another StreamsBuilder")
            }
        }
        func name(_ suffix: String, else prefix: String) -> String {
            named.map { $0.name + suffix } ?? topology.newName(prefix)
        }
        let subscriptionTopic = name("-subscription-registration", else: "KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-") + "-topic"
        let sendName = name("-subscription-registration-processor", else: "KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-")
        let subscriptionSinkName = name("-subscription-registration-sink", else: "KTABLE-SINK-")
        let subscriptionSourceName = name("-subscription-registration-source", else: "KSTREAM-SOURCE-")
        let subscriptionStore = name("-subscription-store", else: "KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-")
        let receiveName = name("-subscription-receive", else: "KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-")
        let joinForeignName = name("-subscription-join-foreign", else: "KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-")
        let foreignTableName = name("-foreign-join-subscription", else: "KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-")
        let responseTopic = name("-subscription-response", else: "KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-") + "-topic"
        let responseSinkName = name("-subscription-response-sink", else: "KTABLE-SINK-")
        let responseSourceName = name("-subscription-response-source", else: "KSTREAM-SOURCE-")
        let resolverName = name("-subscription-response-resolver", else: "KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-")
        let resultName = name("-result", else: "KTABLE-FK-JOIN-OUTPUT-")
        let resultStore = materialized.storeName ?? topology.newName("KTABLE-FK-JOIN-OUTPUT-STATE-STORE-")

        let keySerde = builder.serde(self.keySerde, node: sendName)
        let valueSerde = builder.serde(self.valueSerde, node: sendName)
        let foreignKeySerde = builder.serde(other.keySerde, node: sendName)
        let foreignValueSerde = builder.serde(other.valueSerde, node: joinForeignName)
        let wrapperSerde = Serde<SubscriptionWrapper<Key>>.subscriptionWrapper(primaryKey: keySerde)
        let responseSerde = Serde<SubscriptionResponseWrapper<ForeignValue>>.subscriptionResponse(foreignValue: foreignValueSerde)

        // This table's changes subscribe its rows to their foreign keys.
        builder.addProcessor(sendName, parents: [self.name]) { _ in
            SubscriptionSendNode<Key, Value, ForeignKey>(
                name: sendName, foreignKeyExtractor: foreignKeyExtractor, foreignKey: foreignKeySerde, value: valueSerde,
                leftJoin: leftJoin)
        }
        builder.addSink(
            subscriptionSinkName, topic: subscriptionTopic, key: Serde<ForeignKey?>.optional(foreignKeySerde),
            value: wrapperSerde, parent: sendName)
        topology.addRepartitionTopic(subscriptionTopic, partitions: nil)
        builder.record {
            try topology.add(
                SourceNode.definition(
                    name: subscriptionSourceName, topics: [subscriptionTopic], key: Serde<ForeignKey?>.optional(foreignKeySerde),
                    value: wrapperSerde))
        }
        // The subscription topic is partitioned like the foreign table.
        topology.copartition([subscriptionSourceName, other.name])

        builder.record {
            try topology.add(
                store: StoreDefinition(
                    name: subscriptionStore, engine: .persistent, timestamped: true, loggingEnabled: true,
                    changelogConfigs: [:], cachingEnabled: false,
                    makeTypedStore: { bytes, task in
                        KeyValueStore(
                            bytes: bytes, key: .bytes, value: wrapperSerde, timestamped: true,
                            currentTimestamp: { [unowned task] in task.currentRecordTimestamp })
                    }))
        }
        builder.addProcessor(receiveName, parents: [subscriptionSourceName], stores: [subscriptionStore]) { _ in
            SubscriptionReceiveNode<ForeignKey, Key>(
                name: receiveName, storeName: subscriptionStore, foreignKey: foreignKeySerde, primaryKey: keySerde)
        }
        let foreignGetter = other.valueGetterSupplier
        builder.addProcessor(joinForeignName, parents: [receiveName], stores: foreignGetter.storeNames) { _ in
            SubscriptionJoinNode<ForeignKey, Key, ForeignValue>(name: joinForeignName, foreign: foreignGetter)
        }
        // The foreign table's changes answer every subscriber of their key.
        builder.addProcessor(foreignTableName, parents: [other.name], stores: [subscriptionStore]) { _ in
            ForeignTableJoinNode<ForeignKey, ForeignValue, Key>(
                name: foreignTableName, storeName: subscriptionStore, foreignKey: foreignKeySerde, primaryKey: keySerde)
        }

        // Answers go back to the partition of the subscribing row.
        topology.addRepartitionTopic(responseTopic, partitions: nil)
        builder.record {
            try topology.add(
                SinkNode.definition(
                    name: responseSinkName, topic: responseTopic, key: keySerde, value: responseSerde,
                    partitioner: { _, response, _ in response.primaryPartition },
                    parents: [joinForeignName, foreignTableName]))
            try topology.add(
                SourceNode.definition(name: responseSourceName, topics: [responseTopic], key: keySerde, value: responseSerde))
        }
        // The response topic is partitioned like this table.
        topology.copartition([responseSourceName, self.name])

        let primaryGetter = valueGetterSupplier
        builder.addProcessor(resolverName, parents: [responseSourceName], stores: primaryGetter.storeNames) { _ in
            SubscriptionResponseResolverNode<Key, Value, ForeignValue, Result>(
                name: resolverName, primary: primaryGetter, value: valueSerde, leftJoin: leftJoin, joiner: joiner)
        }
        let resultKey = builder.serde(materialized.keySerde, keySerde, node: resultName)
        let resultValue = builder.serde(materialized.valueSerde, node: resultName)
        builder.addTableStore(resultStore, materialized: materialized, key: resultKey, value: resultValue)
        builder.addProcessor(resultName, parents: [resolverName], stores: [resultStore]) { task in
            KTableSource(name: resultName, storeName: resultStore, key: resultKey, value: resultValue, task: task)
        }
        return KTable<Key, Result>(
            builder: builder, name: resultName, key: resultKey, value: resultValue, storeName: resultStore)
    }
}
