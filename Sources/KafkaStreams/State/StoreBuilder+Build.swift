extension StoreBuilder {
    /// Opens the store on its own, outside any topology, as Kafka Streams' `StoreBuilder.build()`:
    /// for tools, tests and benchmarks. Nothing is logged (there is no task to log for).
    ///
    /// - Parameter directory: Where a persistent store keeps its RocksDB files; required for
    ///   persistent stores, ignored for in-memory ones.
    /// - Throws: ``StreamsError/stateStore(store:message:)`` when a persistent store has no
    ///   directory or RocksDB cannot open it.
    public func build(directory: String? = nil) throws -> KeyValueStore<Key, Value> {
        let bytes: any KeyValueBytesStore
        switch supplier.engine {
        case .inMemory:
            bytes = InMemoryKeyValueStore(name: name)
        case .persistent:
            guard let directory else {
                throw StreamsError.stateStore(store: name, message: "a persistent store needs a directory")
            }
            var config = StreamsConfig(applicationID: "standalone", bootstrapServers: "unused:9092")
            config.stateDir = directory
            bytes = try RocksDBKeyValueStore(
                name: name, path: directory, options: RocksDBSharedResources.options(for: config, store: name, inplaceUpdates: true))
        }
        return KeyValueStore(bytes: bytes, key: keySerde, value: valueSerde, timestamped: false, currentTimestamp: { 0 })
    }
}
