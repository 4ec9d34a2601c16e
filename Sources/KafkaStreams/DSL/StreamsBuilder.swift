/// Builds a topology with the DSL: streams, tables, grouping, aggregation.
///
/// ```swift
/// let builder = StreamsBuilder()
/// builder.stream("text-lines", consumed: .with(key: .optional(.string), value: .string))
///     .flatMapValues { line in line.lowercased().split(separator: " ").map(String.init) }
///     .groupBy(grouped: .with(key: .string, value: .string)) { _, word in word }
///     .count(materialized: .as("counts"))
///     .toStream()
///     .to("word-counts", produced: .with(key: .string, value: .int64))
/// let topology = try builder.build()
/// ```
///
/// DSL calls do not throw: problems (a missing serde, a duplicate name) are collected and thrown
/// by ``build()`` as a ``TopologyError`` that names the node.
public final class StreamsBuilder {
    let topology = Topology()
    private var errors: [any Error] = []
    /// Windowed aggregation nodes by name, with how long after a window's end its windows close
    /// (the grace period; for sessions, inactivity gap plus grace): for `suppress(.untilWindowCloses)`.
    var windowCloseDelays: [String: Int64] = [:]

    public init() {}

    /// A stream of the records of `topic`.
    public func stream<Key, Value>(_ topic: String, consumed: Consumed<Key, Value> = .init()) -> KStream<Key, Value> {
        stream([topic], consumed: consumed)
    }

    /// A stream of the records of several topics, read by one source.
    public func stream<Key, Value>(_ topics: [String], consumed: Consumed<Key, Value> = .init()) -> KStream<Key, Value> {
        let name = consumed.processorName ?? topology.newName("KSTREAM-SOURCE-")
        let keySerde = serde(consumed.keySerde, node: name)
        let valueSerde = serde(consumed.valueSerde, node: name)
        record {
            guard !topics.isEmpty else { throw TopologyError.invalidTopology("source \(name) names no topic") }
            try topology.add(
                SourceNode.definition(
                    name: name, topics: topics, key: keySerde, value: valueSerde,
                    timestampExtractor: consumed.timestampExtractor))
        }
        return KStream(builder: self, name: name, key: keySerde, value: valueSerde, repartitionRequired: false)
    }

    /// A table of the latest value per key of `topic`; a null value deletes the key.
    public func table<Key, Value>(
        _ topic: String, consumed: Consumed<Key, Value> = .init(), materialized: Materialized<Key, Value> = .init()
    ) -> KTable<Key, Value> {
        let storeName = materialized.storeName ?? topology.newName("\(topic)-STATE-STORE-")
        let sourceName = consumed.processorName ?? topology.newName("KSTREAM-SOURCE-")
        let tableName = topology.newName("KTABLE-SOURCE-")
        let keySerde = serde(materialized.keySerde ?? consumed.keySerde, node: sourceName)
        let valueSerde = serde(materialized.valueSerde ?? consumed.valueSerde, node: sourceName)
        record {
            try topology.add(
                SourceNode<Key, Value?>.definition(
                    name: sourceName, topics: [topic], key: keySerde, value: .optional(valueSerde),
                    timestampExtractor: consumed.timestampExtractor))
        }
        addTableStore(storeName, materialized: materialized, key: keySerde, value: valueSerde)
        addProcessor(tableName, parents: [sourceName], stores: [storeName]) { task in
            KTableSource(name: tableName, storeName: storeName, key: keySerde, value: valueSerde, task: task)
        }
        return KTable(builder: self, name: tableName, key: keySerde, value: valueSerde, storeName: storeName)
    }

    /// Checks the topology built so far and returns it.
    public func build() throws -> Topology {
        if let error = errors.first { throw error }
        _ = try topology.plan()
        return topology
    }

    // MARK: - Shared by the DSL types

    func record(_ body: () throws -> Void) {
        do { try body() } catch { errors.append(error) }
    }

    /// The first serde given, else the type's default serde; records an error naming `node` if none.
    func serde<T>(_ candidates: Serde<T>?..., node: String) -> Serde<T> {
        for candidate in candidates {
            if let candidate { return candidate }
        }
        if let fallback = defaultSerde(for: T.self) { return fallback }
        errors.append(TopologyError.missingSerde(node: node, type: "\(T.self)"))
        return Serde(
            name: "missing(\(T.self))",
            serializeNullable: { _, _ in throw TopologyError.missingSerde(node: node, type: "\(T.self)") },
            deserializeNullable: { _ in throw TopologyError.missingSerde(node: node, type: "\(T.self)") })
    }

    func addProcessor<KIn, VIn, KOut, VOut>(
        _ name: String, parents: [String], stores: [String] = [],
        make: @escaping @Sendable (TaskContext) throws -> ForwardingNode<KIn, VIn, KOut, VOut>
    ) {
        record {
            try topology.add(
                NodeDefinition(
                    name: name, kind: .processor, parents: parents, stores: stores,
                    inputType: RecordType(Record<KIn, VIn>.self), outputType: RecordType(Record<KOut, VOut>.self),
                    make: make))
        }
    }

    func addSink<K, V>(
        _ name: String, topic: String, key: Serde<K>, value: Serde<V>, parent: String,
        partitioner: (@Sendable (K, V, Int32) -> Int32?)? = nil
    ) {
        record {
            try topology.add(
                SinkNode.definition(
                    name: name, topic: topic, key: key, value: value, partitioner: partitioner, parents: [parent]))
        }
    }

    /// Adds the timestamped store of a table or aggregation.
    func addTableStore<K, V>(_ name: String, materialized: Materialized<K, V>, key: Serde<K>, value: Serde<V>) {
        record {
            try topology.add(
                store: StoreDefinition(
                    name: name, engine: materialized.storeType == .inMemory ? .inMemory : .persistent,
                    timestamped: true, loggingEnabled: materialized.loggingEnabled,
                    changelogConfigs: materialized.changelogConfigs, cachingEnabled: materialized.cachingEnabled,
                    makeTypedStore: { bytes, task in
                        KeyValueStore(
                            bytes: bytes, key: key, value: value, timestamped: true,
                            currentTimestamp: { [unowned task] in task.currentRecordTimestamp })
                    }))
        }
    }

    /// Routes records through a repartition topic: `filter -> sink -> topic -> source`. Returns
    /// the new source's name.
    ///
    /// Node names follow Kafka Streams: three indexes are always taken (sink, filter, source);
    /// when the topic's name was generated (`KSTREAM-...-0000000007-repartition`) the nodes get
    /// the generated names, otherwise `<topic>-filter`, `<topic>-sink` and `<topic>-source`.
    func repartition<K, V>(
        from parent: String, topic: String, key: Serde<K>, value: Serde<V>, partitions: Int32? = nil,
        partitioner: (@Sendable (K, V, Int32) -> Int32?)? = nil
    ) -> String {
        let generatedSink = topology.newName("KSTREAM-SINK-")
        let generatedFilter = topology.newName("KSTREAM-FILTER-")
        let generatedSource = topology.newName("KSTREAM-SOURCE-")
        let useGenerated = Self.isGeneratedName(
            topic.hasSuffix("-repartition") ? String(topic.dropLast("-repartition".count)) : topic)
        let sinkName = useGenerated ? generatedSink : "\(topic)-sink"
        let filterName = useGenerated ? generatedFilter : "\(topic)-filter"
        let sourceName = useGenerated ? generatedSource : "\(topic)-source"
        // Records without key cannot be partitioned by key: drop them before the topic.
        if let keyIsNull = nullCheck(K.self) {
            addProcessor(filterName, parents: [parent]) { _ in
                KStreamFilter<K, V>(name: filterName, keep: false) { key, _ in keyIsNull(key) }
            }
        } else {
            addProcessor(filterName, parents: [parent]) { _ in KStreamPassThrough<K, V>(name: filterName) }
        }
        addSink(sinkName, topic: topic, key: key, value: value, parent: filterName, partitioner: partitioner)
        topology.addRepartitionTopic(topic, partitions: partitions)
        record { try topology.add(SourceNode.definition(name: sourceName, topics: [topic], key: key, value: value)) }
        return sourceName
    }

    /// Whether a name was generated by the DSL: `KSTREAM...-` and ten digits (Kafka's
    /// `KSTREAM.*-[0-9]{10}`).
    static func isGeneratedName(_ name: String) -> Bool {
        guard name.hasPrefix("KSTREAM"), name.utf8.count >= 18 else { return false }
        let tail = name.utf8.suffix(11)
        return tail.first == UInt8(ascii: "-") && tail.dropFirst().allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }
}

/// The type's ``DefaultSerde``, if it has one.
func defaultSerde<T>(for type: T.Type) -> Serde<T>? {
    guard let conforming = T.self as? any DefaultSerde.Type else { return nil }
    func open<D: DefaultSerde>(_ type: D.Type) -> Any { D.defaultSerde }
    return open(conforming) as? Serde<T>
}
