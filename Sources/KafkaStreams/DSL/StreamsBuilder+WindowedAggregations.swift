extension StreamsBuilder {
    /// Adds the timestamped window store of a windowed aggregation.
    func addWindowAggregateStore<K, V>(
        _ name: String, materialized: Materialized<K, V>, key: Serde<K>, value: Serde<V>, retention: Int64,
        windowSize: Int64
    ) {
        record {
            try topology.add(
                store: StoreDefinition(
                    name: name, engine: materialized.storeType == .inMemory ? .inMemory : .persistent,
                    timestamped: true, loggingEnabled: materialized.loggingEnabled,
                    changelogConfigs: StoreDefinition.windowedChangelogConfigs(retentionPeriod: retention)
                        .merging(materialized.changelogConfigs) { _, user in user },
                    cachingEnabled: materialized.cachingEnabled,
                    makeTypedStore: { logged, task in
                        TimestampedWindowStore<K, V>(
                            bytes: logged,
                            segments: SegmentedBytesStore<WindowKeySchema>.opened(named: name, in: task, under: logged),
                            key: key, value: .valueAndTimestamp(value), windowSize: windowSize, retainDuplicates: false)
                    },
                    layout: .window(
                        retentionPeriod: retention,
                        segmentInterval: StoreDefinition.defaultSegmentInterval(retentionPeriod: retention),
                        windowSize: windowSize)))
        }
    }

    /// Adds the session store of a session aggregation.
    func addSessionAggregateStore<K, V>(
        _ name: String, materialized: Materialized<K, V>, key: Serde<K>, value: Serde<V>, retention: Int64
    ) {
        record {
            try topology.add(
                store: StoreDefinition(
                    name: name, engine: materialized.storeType == .inMemory ? .inMemory : .persistent,
                    timestamped: false, loggingEnabled: materialized.loggingEnabled,
                    changelogConfigs: StoreDefinition.windowedChangelogConfigs(retentionPeriod: retention)
                        .merging(materialized.changelogConfigs) { _, user in user },
                    cachingEnabled: materialized.cachingEnabled,
                    makeTypedStore: { logged, task in
                        SessionStore<K, V>(
                            bytes: logged,
                            segments: SegmentedBytesStore<SessionKeySchema>.opened(named: name, in: task, under: logged),
                            key: key, value: value)
                    },
                    layout: .session(
                        retentionPeriod: retention,
                        segmentInterval: StoreDefinition.defaultSegmentInterval(retentionPeriod: retention))))
        }
    }

    /// The retention of a windowed aggregation's store: `Materialized.retention`, which must be at
    /// least `minimum` (recorded as an error for `build()` otherwise), or `minimum` itself.
    func windowStoreRetention(
        _ retention: Duration?, minimum: Int64, store: String, requirement: @autoclosure () -> String
    ) -> Int64 {
        guard let retention else { return minimum }
        let milliseconds = retention.milliseconds
        if milliseconds < minimum {
            let message = requirement()
            record {
                throw TopologyError.invalidTopology(
                    "the retention period of the store \(store) must be no smaller than \(message); got \(retention)")
            }
        }
        return milliseconds
    }

    /// How long after a window's end the windows of the windowed aggregation above `node` close:
    /// the largest such delay of its parents, found by walking up the graph, as Kafka Streams'
    /// `findAndVerifyWindowGrace`. Throws when a path reaches a source without passing a windowed
    /// aggregation.
    func windowCloseDelay(above node: String) throws -> Int64 {
        try windowCloseDelay(of: node, chain: [])
    }

    private func windowCloseDelay(of node: String, chain: [String]) throws -> Int64 {
        if let delay = windowCloseDelays[node] { return delay }
        let path = [node] + chain
        guard let definition = topology.nodes.first(where: { $0.name == node }), !definition.parents.isEmpty else {
            throw TopologyError.invalidTopology(
                "window close time is only defined for windowed computations; got [\(path.joined(separator: "->"))]")
        }
        var delay: Int64 = -1
        for parent in definition.parents {
            delay = max(delay, try windowCloseDelay(of: parent, chain: path))
        }
        return delay
    }
}
