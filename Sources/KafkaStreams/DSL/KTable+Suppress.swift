extension KTable {
    /// Holds back the table's updates as `suppressed` says: final results of windows, or at most
    /// one update per key per time limit.
    ///
    /// ```swift
    /// builder.stream("page-views", consumed: .with(key: .string, value: .string))
    ///     .groupByKey()
    ///     .windowedBy(TimeWindows.ofSizeAndGrace(.seconds(60), .seconds(10)))
    ///     .count()
    ///     .suppress(.untilWindowCloses(.unbounded()))   // one result per user and minute
    ///     .toStream()
    ///     .to("views-per-minute", produced: .with(key: .timeWindowed(.string, size: .seconds(60)), value: .int64))
    /// ```
    ///
    /// The processor is named `KTABLE-SUPPRESS-…` (or `Suppressed.withName`) and keeps its buffer
    /// in the in-memory store `KTABLE-SUPPRESS-STATE-STORE-…` (or `<name>-store`), backed by a
    /// changelog topic unless the buffer config disables logging. The buffer needs serdes for
    /// the table's keys and values: the table's own, or the types' defaults.
    @discardableResult
    public func suppress(_ suppressed: Suppressed<Key>) -> KTable<Key, Value> {
        let topology = builder.topology
        let node = suppressed.name ?? topology.newName("KTABLE-SUPPRESS-")
        let storeName = suppressed.name.map { "\($0)-store" } ?? topology.newName("KTABLE-SUPPRESS-STATE-STORE-")
        let key = builder.serde(keySerde, node: node)
        let value = builder.serde(valueSerde, node: node)
        let bufferConfig = suppressed.bufferConfig
        builder.record { try bufferConfig.validate(node: node) }

        let suppressDuration: Int64
        let dropsDeletes: Bool
        let bufferTime: @Sendable (Record<Key, Change<Value>>) -> Int64
        switch suppressed.kind {
        case .untilWindowCloses(let windowEnd):
            do {
                suppressDuration = try builder.windowCloseDelay(above: name)
            } catch {
                builder.record { throw error }
                suppressDuration = 0
            }
            if bufferConfig.emitsEarly {
                builder.record {
                    throw TopologyError.invalidTopology(
                        "suppression \(node): final results need a buffer that never emits early: "
                            + "use BufferConfig.unbounded() or shutDownWhenFull()")
                }
            }
            dropsDeletes = true
            bufferTime = { windowEnd($0.key) }
        case .untilTimeLimit(let limit):
            if limit < 0 {
                builder.record {
                    throw TopologyError.invalidTopology(
                        "suppression \(node): the time limit must not be negative, got \(limit) ms")
                }
            }
            suppressDuration = limit
            dropsDeletes = false
            bufferTime = { $0.timestamp }
        }

        builder.record {
            try topology.add(
                store: StoreDefinition(
                    name: storeName, engine: .inMemory, timestamped: false, loggingEnabled: bufferConfig.loggingEnabled,
                    changelogConfigs: bufferConfig.changelogConfigs, cachingEnabled: false,
                    makeTypedStore: { logged, _ in TimeOrderedKeyValueBuffer(name: storeName, bytes: logged) }))
        }
        builder.addProcessor(node, parents: [name], stores: [storeName]) { task in
            KTableSuppressProcessor<Key, Value>(
                name: node, storeName: storeName, key: key, value: value, suppressDuration: suppressDuration,
                bufferConfig: bufferConfig, dropsDeletes: dropsDeletes, task: task, bufferTime: bufferTime)
        }
        return KTable(builder: builder, name: node, key: keySerde, value: valueSerde, storeName: nil)
    }
}
