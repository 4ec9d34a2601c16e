import Foundation
import KafkaStreamsTesting
import Testing

@testable import KafkaStreams

/// Counts records per key in one-minute tumbling windows, in a window store.
private struct WindowedCounter: Processor {
    static let size: Int64 = 60_000
    let context: ProcessorContext<Windowed<String>, Int64>
    let store: WindowStore<String, Int64>

    init(context: ProcessorContext<Windowed<String>, Int64>) throws {
        self.context = context
        self.store = try context.stateStore(named: "counts")
    }

    mutating func process(_ record: Record<String, String>) throws {
        let start = record.timestamp - record.timestamp % Self.size
        let count = (try store.fetch(record.key, windowStart: start) ?? 0) + 1
        try store.put(record.key, count, windowStart: start)
        try context.forward(
            Record(key: Windowed(key: record.key, start: start, end: start + Self.size), value: count, timestamp: record.timestamp))
    }
}

/// Counts records per key per minute, and forwards the key's total over its retained windows:
/// a range read that must see writes still in the record cache.
private struct WindowTotaler: Processor {
    let context: ProcessorContext<String, Int64>
    let store: WindowStore<String, Int64>

    init(context: ProcessorContext<String, Int64>) throws {
        self.context = context
        self.store = try context.stateStore(named: "counts")
    }

    mutating func process(_ record: Record<String, String>) throws {
        let start = record.timestamp - record.timestamp % 60_000
        try store.put(record.key, (try store.fetch(record.key, windowStart: start) ?? 0) + 1, windowStart: start)
        let total = try store.fetch(record.key, timeFrom: 0, timeTo: .max).reduce(0) { $0 + $1.value }
        try context.forward(record.withValue(total))
    }
}

/// Merges records into sessions with a five-minute inactivity gap, in a session store.
private struct Sessionizer: Processor {
    static let gap: Int64 = 300_000
    let context: ProcessorContext<Windowed<String>, Int64>
    let store: SessionStore<String, Int64>

    init(context: ProcessorContext<Windowed<String>, Int64>) throws {
        self.context = context
        self.store = try context.stateStore(named: "sessions")
    }

    mutating func process(_ record: Record<String, String>) throws {
        var start = record.timestamp
        var end = record.timestamp
        var count: Int64 = 1
        let merged = try store.findSessions(
            record.key, earliestSessionEndTime: record.timestamp - Self.gap,
            latestSessionStartTime: record.timestamp + Self.gap)
        for session in merged {
            start = min(start, session.key.window.start)
            end = max(end, session.key.window.end)
            count += session.value
            try store.remove(session.key)
        }
        let session = Windowed(key: record.key, start: start, end: end)
        try store.put(session, count)
        try context.forward(Record(key: session, value: count, timestamp: record.timestamp))
    }
}

/// Window and session stores used from the Processor API through `TopologyTestDriver`.
@Suite struct WindowStoreProcessorTests {
    private func driverConfig(_ directory: ScratchDirectory) -> StreamsConfig {
        var config = TopologyTestDriver.defaultConfig
        config.stateDir = directory.path
        return config
    }

    @Test(arguments: StoreEngine.allCases)
    func processorCountsInAWindowStore(_ engine: StoreEngine) throws {
        let directory = ScratchDirectory("driver")
        defer { directory.remove() }
        let topology = Topology()
        try topology.addSource("in", topics: ["in"], key: .string, value: .string)
        try topology.addProcessor("count", WindowedCounter.self, parents: ["in"])
        try topology.addStateStore(
            Stores.windowStoreBuilder(
                engine.windowStore("counts", retention: .seconds(600), windowSize: .seconds(60)), key: .string, value: .int64),
            processors: ["count"])
        try topology.addSink(
            "out", topic: "out", key: .timeWindowed(.string, size: .seconds(60)), value: .int64, parents: ["count"])
        // Window store changelogs are compacted and deleted after retention + 1 day.
        #expect(
            topology.internalTopics["counts-changelog"]?.configs
                == ["cleanup.policy": "compact,delete", "retention.ms": "87000000"])

        let driver = try TopologyTestDriver(topology: topology, config: driverConfig(directory))
        defer { try? driver.close() }
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .timeWindowed(.string, size: .seconds(60)), value: .int64)
        let changelog = driver.createOutputTopic(driver.internalTopicName("counts-changelog"), key: .bytes, value: .int64)

        try input.pipeInput(key: "a", value: "x", timestamp: 0)
        try input.pipeInput(key: "a", value: "x", timestamp: 30_000)
        try input.pipeInput(key: "b", value: "x", timestamp: 30_000)
        try input.pipeInput(key: "a", value: "x", timestamp: 60_000)
        try input.pipeInput(key: "a", value: "x", timestamp: 700_000)
        // Window [0, 60 s) is now beyond the ten-minute retention: it is gone, and the late
        // record's count starts over and is not stored.
        try input.pipeInput(key: "a", value: "x", timestamp: 10_000)

        func w(_ key: String, _ start: Int64) -> Windowed<String> { Windowed(key: key, start: start, end: start + 60_000) }
        #expect(
            output.readKeyValuesToList() == [
                kv(w("a", 0), 1), kv(w("a", 0), 2), kv(w("b", 0), 1), kv(w("a", 60_000), 1), kv(w("a", 660_000), 1),
                kv(w("a", 0), 1),
            ])

        // The changelog key is the store key, [key][window start][sequence number], as Kafka writes it.
        let logged = changelog.readRecordsToList()
        #expect(logged.count == 6)
        #expect(logged.first?.key == Array("a".utf8) + bigEndianBytes(Int64(0)) + [0, 0, 0, 0])
        #expect(logged.first?.value == 1)
        #expect(logged.map(\.timestamp) == [0, 30_000, 30_000, 60_000, 700_000, 10_000])
        #expect(logged[4].key == Array("a".utf8) + bigEndianBytes(Int64(660_000)) + [0, 0, 0, 0])

        // The store is queryable (plain values: a Processor API window store has no timestamps);
        // at stream time 700 s only the window at 660 s is within the retention.
        let query = try driver.windowStore("counts", key: .string, value: .int64)
        #expect(query.windowSize == 60_000)
        #expect(try query.all() == [kv(w("a", 660_000), 1)])
        #expect(try query.fetch("a", windowStart: 660_000) == 1)
    }

    @Test(arguments: StoreEngine.allCases)
    func readsSeeWritesInTheRecordCache(_ engine: StoreEngine) throws {
        let directory = ScratchDirectory("driver")
        defer { directory.remove() }
        let topology = Topology()
        try topology.addSource("in", topics: ["in"], key: .string, value: .string)
        try topology.addProcessor("total", WindowTotaler.self, parents: ["in"])
        try topology.addStateStore(
            Stores.windowStoreBuilder(
                engine.windowStore("counts", retention: .seconds(600), windowSize: .seconds(60)), key: .string, value: .int64
            ).withCachingEnabled(),
            processors: ["total"])
        try topology.addSink("out", topic: "out", key: .string, value: .int64, parents: ["total"])
        var config = driverConfig(directory)
        config.cacheMaxBytes = 10 * 1024 * 1024
        let driver = try TopologyTestDriver(topology: topology, config: config)
        defer { try? driver.close() }
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .string, value: .int64)

        for time: Int64 in [0, 30_000, 60_000, 61_000, 120_000] {
            try input.pipeInput(key: "a", value: "x", timestamp: time)
        }
        try input.pipeInput(key: "b", value: "x", timestamp: 120_000)
        #expect(output.readValuesToList() == [1, 2, 3, 4, 5, 1])
    }

    @Test func loggingCanBeDisabled() throws {
        let topology = Topology()
        try topology.addSource("in", topics: ["in"], key: .string, value: .string)
        try topology.addProcessor("count", WindowedCounter.self, parents: ["in"])
        try topology.addStateStore(
            Stores.windowStoreBuilder(
                Stores.inMemoryWindowStore("counts", retentionPeriod: .seconds(600), windowSize: .seconds(60), retainDuplicates: false),
                key: .string, value: .int64
            ).withLoggingDisabled().withCachingEnabled(),
            processors: ["count"])
        #expect(topology.internalTopics.isEmpty)
        #expect(topology.stores["counts"]?.cachingEnabled == true)
    }

    @Test(arguments: StoreEngine.allCases)
    func processorMergesSessionsInASessionStore(_ engine: StoreEngine) throws {
        let directory = ScratchDirectory("driver")
        defer { directory.remove() }
        let builder = StreamsBuilder()
        builder.addStateStore(
            Stores.sessionStoreBuilder(engine.sessionStore("sessions", retention: .seconds(3600)), key: .string, value: .int64))
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .process(stores: ["sessions"]) { context in try Sessionizer(context: context) }
            .to("out", produced: .with(key: .sessionWindowed(.string), value: .int64))
        let topology = try builder.build()
        #expect(
            topology.internalTopics["sessions-changelog"]?.configs
                == ["cleanup.policy": "compact,delete", "retention.ms": "90000000"])

        let driver = try TopologyTestDriver(topology: topology, config: driverConfig(directory))
        defer { try? driver.close() }
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .sessionWindowed(.string), value: .int64)
        let changelog = driver.createOutputTopic(driver.internalTopicName("sessions-changelog"), key: .bytes, value: .optional(.int64))

        try input.pipeInput(key: "a", value: "x", timestamp: 0)
        try input.pipeInput(key: "a", value: "x", timestamp: 100_000)
        try input.pipeInput(key: "a", value: "x", timestamp: 1_000_000)
        try input.pipeInput(key: "a", value: "x", timestamp: 200_000)
        try input.pipeInput(key: "b", value: "x", timestamp: 200_000)

        #expect(
            output.readKeyValuesToList() == [
                kv(Windowed(key: "a", start: 0, end: 0), 1),
                kv(Windowed(key: "a", start: 0, end: 100_000), 2),
                kv(Windowed(key: "a", start: 1_000_000, end: 1_000_000), 1),
                kv(Windowed(key: "a", start: 0, end: 200_000), 3),
                kv(Windowed(key: "b", start: 200_000, end: 200_000), 1),
            ])
        // Merging removes the old session (a tombstone) and writes the new one.
        let logged = changelog.readRecordsToList()
        #expect(logged.map(\.value) == [1, nil, 2, 1, nil, 3, 1])
        #expect(logged[0].key == Array("a".utf8) + bigEndianBytes(Int64(0)) + bigEndianBytes(Int64(0)))
        #expect(logged[5].key == Array("a".utf8) + bigEndianBytes(Int64(200_000)) + bigEndianBytes(Int64(0)))
    }

    @Test func windowedSerdesUseKafkasLayouts() throws {
        let timeWindowed = Serde<Windowed<String>>.timeWindowed(.string, size: .seconds(60))
        let key = Windowed(key: "k", start: 120_000, end: 180_000)
        let bytes = try #require(try timeWindowed.serialize(key))
        #expect(bytes == Array("k".utf8) + bigEndianBytes(Int64(120_000)))
        #expect(try timeWindowed.deserialize(bytes) == key)

        let sessionWindowed = Serde<Windowed<String>>.sessionWindowed(.string)
        let session = Windowed(key: "k", start: 1_000, end: 5_000)
        let sessionBytes = try #require(try sessionWindowed.serialize(session))
        #expect(sessionBytes == Array("k".utf8) + bigEndianBytes(Int64(5_000)) + bigEndianBytes(Int64(1_000)))
        #expect(try sessionWindowed.deserialize(sessionBytes) == session)

        #expect(throws: SerdeError.self) { _ = try timeWindowed.deserialize([1, 2, 3]) }
        #expect(throws: SerdeError.self) { _ = try sessionWindowed.deserialize(nil as [UInt8]?) }
        #expect(key.description == "[k@120000/180000]")
    }
}
