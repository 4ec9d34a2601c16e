import KafkaStreams
import KafkaStreamsTesting
import Testing

/// Querying the window store of a windowed aggregation, over several tasks, on both engines.
@Suite struct ReadOnlyWindowStoreTests {
    static let minute: Int64 = 60_000
    static let storeTypes: [Materialized<String, Int64>.StoreType] = [.inMemory, .persistent]

    /// Page views counted per user and minute on a topic of three partitions (three tasks).
    private func countedViews(_ storeType: Materialized<String, Int64>.StoreType) throws -> (TopologyTestDriver, KTable<Windowed<String>, Int64>) {
        let builder = StreamsBuilder()
        // Windows are retained for 10 minutes of stream time (by default, size plus grace: one).
        var materialized = Materialized<String, Int64>.as("views-per-minute", storeType: storeType)
        materialized.retention = .seconds(600)
        let table = builder.stream("views", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeWithNoGrace(.seconds(60)))
            .count(materialized: materialized)
        let driver = try TopologyTestDriver(topology: builder.build(), partitions: ["views": 3])
        let input = driver.createInputTopic("views", key: .string, value: .string)
        for (user, time) in [("alice", 1_000), ("bob", 2_000), ("alice", 59_999), ("alice", 60_000), ("carol", 61_000), ("bob", 130_000)] {
            try input.pipeInput(key: user, value: "/page", timestamp: Int64(time))
        }
        return (driver, table)
    }

    @Test(arguments: storeTypes)
    func fetchesAKeysWindows(storeType: Materialized<String, Int64>.StoreType) throws {
        let (driver, table) = try countedViews(storeType)
        defer { try? driver.close() }
        #expect(table.queryableStoreName == "views-per-minute")
        let store = try driver.windowStore("views-per-minute", key: .string, value: .int64)
        #expect(store.name == "views-per-minute")
        #expect(store.windowSize == Self.minute)

        #expect(try store.fetch("alice", windowStart: 0) == 2)
        #expect(try store.fetch("alice", windowStart: Self.minute) == 1)
        #expect(try store.fetch("alice", windowStart: 2 * Self.minute) == nil)
        #expect(try store.fetch("dave", windowStart: 0) == nil)
        #expect(try store.fetch("alice", timeFrom: 0, timeTo: .max) == [KeyValue(0, 2), KeyValue(Self.minute, 1)])
        #expect(try store.fetch("alice", timeFrom: 1, timeTo: .max) == [KeyValue(Self.minute, 1)])
        #expect(try store.backwardFetch("alice", timeFrom: 0, timeTo: .max) == [KeyValue(Self.minute, 1), KeyValue(0, 2)])
        #expect(try store.fetch("bob", timeFrom: 0, timeTo: .max) == [KeyValue(0, 1), KeyValue(2 * Self.minute, 1)])
    }

    @Test(arguments: storeTypes)
    func rangesMergeTheTasksInKeyThenTimeOrder(storeType: Materialized<String, Int64>.StoreType) throws {
        let (driver, _) = try countedViews(storeType)
        defer { try? driver.close() }
        let store = try driver.windowStore("views-per-minute", key: .string, value: .int64)
        let minute = Self.minute
        let all = [
            KeyValue(Windowed(key: "alice", start: 0, end: minute), Int64(2)),
            KeyValue(Windowed(key: "alice", start: minute, end: 2 * minute), 1),
            KeyValue(Windowed(key: "bob", start: 0, end: minute), 1),
            KeyValue(Windowed(key: "bob", start: 2 * minute, end: 3 * minute), 1),
            KeyValue(Windowed(key: "carol", start: minute, end: 2 * minute), 1),
        ]
        #expect(try store.all() == all)
        #expect(try store.backwardAll() == all.reversed())
        #expect(try store.fetchAll(timeFrom: minute, timeTo: minute) == [all[1], all[4]])
        #expect(try store.backwardFetchAll(timeFrom: minute, timeTo: minute) == [all[4], all[1]])
        #expect(try store.fetch(keyFrom: "b", keyTo: "c", timeFrom: 0, timeTo: .max) == [all[2], all[3]])
        #expect(try store.fetch(keyFrom: "bob", keyTo: nil, timeFrom: 0, timeTo: minute) == [all[2], all[4]])
        #expect(try store.backwardFetch(keyFrom: nil, keyTo: "alice", timeFrom: 0, timeTo: .max) == [all[1], all[0]])
        #expect(try store.fetch(keyFrom: "c", keyTo: "a", timeFrom: 0, timeTo: .max).isEmpty)
    }

    @Test func aStoreOfAnotherKindIsAClearError() throws {
        let (driver, _) = try countedViews(.inMemory)
        defer { try? driver.close() }
        let asKeyValue = #expect(throws: StreamsError.self) {
            _ = try driver.keyValueStore("views-per-minute", key: .string, value: .int64)
        }
        #expect("\(asKeyValue!)".contains(".windowStore(name:key:value:)"))
        #expect(throws: StreamsError.self) { _ = try driver.sessionStore("views-per-minute", key: .string, value: .int64) }
        #expect(throws: StreamsError.self) { _ = try driver.windowStore("no-such-store", key: .string, value: .int64) }
    }

    @Test func slidingWindowsAreQueryableToo() throws {
        let builder = StreamsBuilder()
        let table = builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(.milliseconds(10), .milliseconds(5)))
            .count(materialized: .as("sliding"))
        let driver = try TopologyTestDriver(topology: builder.build())
        defer { try? driver.close() }
        let input = driver.createInputTopic("in", key: .string, value: .string)
        try input.pipeInput(key: "A", value: "x", timestamp: 10)
        try input.pipeInput(key: "A", value: "y", timestamp: 14)
        #expect(table.queryableStoreName == "sliding")
        let store = try driver.windowStore("sliding", key: .string, value: .int64)
        // Kafka Streams' sliding windows of 10 ms: [0, 10] holds the first record, [4, 14] both,
        // [11, 21] the second.
        #expect(try store.fetch("A", timeFrom: 0, timeTo: .max) == [KeyValue(0, 1), KeyValue(4, 2), KeyValue(11, 1)])
        #expect(try store.all().map(\.key.window) == [
            TimeWindow(start: 0, end: 10), TimeWindow(start: 4, end: 14), TimeWindow(start: 11, end: 21),
        ])
    }
}
