extension StreamsBuilder {
    /// A global table of `topic`: every instance reads all partitions of the topic into a local
    /// store (RocksDB by default, or in memory per `materialized`), restored up to the topic's
    /// end before `KafkaStreams.start()` returns, then kept up to date by the instance's global
    /// thread. A null value deletes the key; records with a null key are dropped.
    ///
    /// The store has no changelog topic (the topic itself is its changelog) and no record cache.
    /// Query it by name like any key-value store.
    public func globalTable<Key, Value>(
        _ topic: String, consumed: Consumed<Key, Value> = .init(), materialized: Materialized<Key, Value> = .init()
    ) -> GlobalKTable<Key, Value> {
        let storeName = materialized.storeName ?? topology.newName("\(topic)-STATE-STORE-")
        let sourceName = consumed.processorName ?? topology.newName("KSTREAM-SOURCE-")
        let tableName = topology.newName("KTABLE-SOURCE-")
        let keySerde = serde(materialized.keySerde ?? consumed.keySerde, node: sourceName)
        let valueSerde = serde(materialized.valueSerde ?? consumed.valueSerde, node: sourceName)
        let timestampExtractor = consumed.timestampExtractor
        let store = StoreDefinition(
            name: storeName, engine: materialized.storeType == .inMemory ? .inMemory : .persistent, timestamped: true,
            loggingEnabled: false, changelogConfigs: [:], cachingEnabled: false,
            makeTypedStore: { bytes, task in
                KeyValueStore(
                    bytes: bytes, key: keySerde, value: valueSerde, timestamped: true,
                    currentTimestamp: { [unowned task] in task.currentRecordTimestamp })
            })
        topology.addGlobalStore(
            GlobalStoreDefinition(
                topic: topic, sourceName: sourceName, processorName: tableName, store: store,
                makeNodes: { task in
                    let source = SourceNode<Key, Value?>(
                        name: sourceName, key: keySerde, value: .optional(valueSerde), task: task,
                        timestampExtractor: timestampExtractor)
                    let table = KTableSource(name: tableName, storeName: storeName, key: keySerde, value: valueSerde, task: task)
                    try source.connect(child: table)
                    return (source, table)
                }))
        return GlobalKTable(
            builder: self, storeName: storeName, isNamed: materialized.storeName != nil, key: keySerde, value: valueSerde)
    }
}
