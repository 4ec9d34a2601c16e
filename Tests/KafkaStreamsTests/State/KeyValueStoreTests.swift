import KafkaStreams
import KafkaStreamsTesting
import Testing

/// `KeyValueStore` as processors use it (in memory and RocksDB), and the read-only view the
/// driver and interactive queries get.
@Suite struct KeyValueStoreTests {
    static let engines: [KeyValueBytesStoreSupplier] = [
        Stores.inMemoryKeyValueStore("kv"), Stores.persistentKeyValueStore("kv"),
    ]

    /// Runs `script` against the store "kv" inside a processor, on one record.
    private func withStore<K, V>(
        _ supplier: KeyValueBytesStoreSupplier, key: Serde<K>, value: Serde<V>,
        _ script: @escaping @Sendable (KeyValueStore<K, V>) throws -> Void
    ) throws -> TopologyTestDriver {
        let topology = Topology()
        try topology.addSource("src", topics: ["go"], key: .string, value: .string)
        try topology.addProcessor("script", parents: ["src"]) { context in try StoreScript(context: context, script: script) }
        try topology.addStateStore(Stores.keyValueStoreBuilder(supplier, key: key, value: value), processors: ["script"])
        let driver = try TopologyTestDriver(topology: topology)
        try driver.createInputTopic("go", key: .string, value: .string).pipeInput(key: "", value: "", timestamp: 0)
        return driver
    }

    @Test(arguments: engines)
    func getPutDelete(engine: KeyValueBytesStoreSupplier) throws {
        _ = try withStore(engine, key: .string, value: .int64) { store in
            #expect(store.name == "kv")
            #expect(store.isPersistent == engine.isPersistent)
            #expect(try store.get("a") == nil)
            try store.put("a", 1)
            #expect(try store.get("a") == 1)
            try store.put("a", 2)
            #expect(try store.get("a") == 2)
            #expect(try store.delete("a") == 2)
            #expect(try store.delete("a") == nil)
            #expect(try store.get("a") == nil)
        }
    }

    @Test(arguments: engines)
    func putIfAbsentAndPutAll(engine: KeyValueBytesStoreSupplier) throws {
        _ = try withStore(engine, key: .string, value: .int64) { store in
            #expect(try store.putIfAbsent("a", 1) == nil)
            #expect(try store.putIfAbsent("a", 2) == 1)
            #expect(try store.get("a") == 1)
            try store.putAll([kv("b", 2), kv("c", 3)])
            #expect(try store.all() == [kv("a", 1), kv("b", 2), kv("c", 3)])
        }
    }

    @Test(arguments: engines)
    func rangesAreInclusiveAndOrdered(engine: KeyValueBytesStoreSupplier) throws {
        _ = try withStore(engine, key: .string, value: .int64) { store in
            for (index, key) in ["d", "b", "a", "e", "c"].enumerated() { try store.put(key, Int64(index)) }
            #expect(try store.range(from: "b", to: "d").map(\.key) == ["b", "c", "d"])
            #expect(try store.reverseRange(from: "b", to: "d").map(\.key) == ["d", "c", "b"])
            #expect(try store.range(from: nil, to: "b").map(\.key) == ["a", "b"])
            #expect(try store.range(from: "d", to: nil).map(\.key) == ["d", "e"])
            #expect(try store.range(from: "bb", to: "cc").map(\.key) == ["c"])
            // from > to is empty, as in Kafka Streams.
            #expect(try store.range(from: "d", to: "b").isEmpty)
            #expect(try store.all().map(\.key) == ["a", "b", "c", "d", "e"])
            #expect(try store.reverseAll().map(\.key) == ["e", "d", "c", "b", "a"])
        }
    }

    @Test(arguments: engines)
    func prefixScan(engine: KeyValueBytesStoreSupplier) throws {
        _ = try withStore(engine, key: .string, value: .int64) { store in
            for key in ["user:2", "order:1", "user:10", "user:1", "users", "use"] { try store.put(key, 0) }
            #expect(try store.prefixScan("user:", serde: .string).map(\.key) == ["user:1", "user:10", "user:2"])
            #expect(try store.prefixScan("zzz", serde: .string).isEmpty)
        }
    }

    @Test(arguments: engines)
    func keysAreOrderedByTheirUnsignedBytes(engine: KeyValueBytesStoreSupplier) throws {
        _ = try withStore(engine, key: .int64, value: .string) { store in
            for key: Int64 in [-1, 256, 0, 1, Int64.min] { try store.put(key, "\(key)") }
            // Big-endian two's complement: non-negative numbers first, in order, then negative ones.
            #expect(try store.all().map(\.key) == [0, 1, 256, Int64.min, -1])
        }
    }

    @Test func inMemoryEntryCountIsExact() throws {
        _ = try withStore(Stores.inMemoryKeyValueStore("kv"), key: .string, value: .int64) { store in
            #expect(try store.approximateNumEntries() == 0)
            for key in ["a", "b", "c"] { try store.put(key, 1) }
            try store.delete("b")
            #expect(try store.approximateNumEntries() == 2)
        }
    }

    @Test(arguments: engines)
    func puttingNilIntoAStoreOfOptionalsDeletes(engine: KeyValueBytesStoreSupplier) throws {
        _ = try withStore(engine, key: .string, value: .optional(.string)) { store in
            try store.put("a", "x")
            try store.put("a", nil)
            #expect(try store.all().isEmpty)
        }
    }

    @Test(arguments: engines)
    func driverSeesWhatTheProcessorWrote(engine: KeyValueBytesStoreSupplier) throws {
        let driver = try withStore(engine, key: .string, value: .string) { store in
            for key in ["b", "a", "c"] { try store.put(key, key.uppercased()) }
        }
        let view = try driver.keyValueStore("kv", key: .string, value: .string)
        #expect(view.name == "kv")
        #expect(try view.get("a") == "A")
        #expect(try view.all() == [kv("a", "A"), kv("b", "B"), kv("c", "C")])
        #expect(try view.reverseAll().map(\.key) == ["c", "b", "a"])
        #expect(try view.range(from: "b", to: nil).map(\.key) == ["b", "c"])
        #expect(try view.reverseRange(from: nil, to: "b").map(\.key) == ["b", "a"])
        #expect(try view.prefixScan("a", serde: .string).map(\.value) == ["A"])
    }

    @Test(arguments: engines)
    func storesAreLoggedToTheirChangelog(engine: KeyValueBytesStoreSupplier) throws {
        let driver = try withStore(engine, key: .string, value: .string) { store in
            try store.put("a", "1")
            try store.put("b", "2")
            try store.delete("a")
        }
        let changelog = driver.createOutputTopic(
            driver.internalTopicName("kv-changelog"), key: .string, value: .optional(.string))
        #expect(changelog.readKeyValuesToList() == [kv("a", "1"), kv("b", "2"), kv("a", nil)])
    }

    @Test func queryViewSpansAllPartitionsTasks() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .count(materialized: .as("counts", storeType: .inMemory))
        let driver = try TopologyTestDriver(topology: builder.build(), partitions: ["in": 4])
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let keys = (0..<20).map { "key-\(String(format: "%02d", $0))" }
        for key in keys { try input.pipeInput(key: key, value: "", timestamp: 0) }
        let store = try driver.keyValueStore("counts", key: .string, value: .int64)
        // Merged across the four tasks, in key order.
        #expect(try store.all().map(\.key) == keys)
        #expect(try store.reverseAll().map(\.key) == keys.reversed())
        #expect(try store.range(from: "key-05", to: "key-07").map(\.key) == ["key-05", "key-06", "key-07"])
        #expect(try store.prefixScan("key-1", serde: .string).map(\.key) == Array(keys[10..<20]))
        #expect(try store.approximateNumEntries() == 20)
    }
}

/// Runs a script against the store "kv" for each record.
private struct StoreScript<K, V>: Processor {
    let run: () throws -> Void
    init(context: ProcessorContext<String, String>) { fatalError("made with init(context:script:)") }
    init(context: ProcessorContext<String, String>, script: @escaping @Sendable (KeyValueStore<K, V>) throws -> Void) throws {
        let store: KeyValueStore<K, V> = try context.stateStore(named: "kv")
        run = { try script(store) }
    }
    func process(_ record: Record<String, String>) throws { try run() }
}
