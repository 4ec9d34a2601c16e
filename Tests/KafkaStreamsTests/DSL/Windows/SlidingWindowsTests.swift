import KafkaStreams
import KafkaStreamsTesting
import Testing

/// Sliding windows: Kafka Streams' algorithm (left and right windows of each record), early
/// records, lateness and emit-on-close, checked against Kafka Streams' own expectations.
@Suite struct SlidingWindowsTests {
    /// Kafka Streams' `KStreamSlidingWindowAggregateTest.testAggregateSmallInput` input: key A,
    /// values 1...7 at 10, 10, 14, 15, 20, 22, 30; time difference 10 ms, grace 5 ms.
    static let input: [(String, Int64)] = [("1", 10), ("2", 10), ("3", 14), ("4", 15), ("5", 20), ("6", 22), ("7", 30)]

    static func topology(strategy: EmitStrategy, storeType: Materialized<String, String>.StoreType = .inMemory) throws
        -> Topology
    {
        let builder = StreamsBuilder()
        builder.stream("topic", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(.milliseconds(10), .milliseconds(5)))
            .emitStrategy(strategy)
            .aggregate(initializer: { "0" }, materialized: .as("store", value: .string, storeType: storeType)) {
                _, value, aggregate in aggregate + "+" + value
            }
            .toStream()
            .to("out")
        return try builder.build()
    }

    /// Results by window start: the set of (aggregate, timestamp) forwarded for it.
    static func run(_ topology: Topology) throws -> [Int64: Set<String>] {
        let driver = try TopologyTestDriver(topology: topology)
        let input = driver.createInputTopic("topic", key: .string, value: .string)
        for (value, timestamp) in Self.input { try input.pipeInput(key: "A", value: value, timestamp: timestamp) }
        var results: [Int64: Set<String>] = [:]
        let output = driver.createOutputTopic("out", key: .timeWindowed(.string, size: .milliseconds(10)), value: .optional(.string))
        for record in output.readRecordsToList() {
            #expect(record.key.window.end == record.key.window.start + 10)
            results[record.key.window.start, default: []].insert("\(record.value ?? "nil")@\(record.timestamp)")
        }
        return results
    }

    @Test(arguments: [Materialized<String, String>.StoreType.inMemory, .persistent])
    func everyUpdateMatchesKafkaStreams(storeType: Materialized<String, String>.StoreType) throws {
        let results = try Self.run(Self.topology(strategy: .onWindowUpdate, storeType: storeType))
        #expect(
            results == [
                0: ["0+1@10", "0+1+2@10"],
                4: ["0+1+2+3@14"],
                5: ["0+1+2+3+4@15"],
                10: ["0+1+2+3+4+5@20"],
                11: ["0+3@14", "0+3+4@15", "0+3+4+5@20"],
                12: ["0+3+4+5+6@22"],
                15: ["0+4@15", "0+4+5@20", "0+4+5+6@22"],
                16: ["0+5@20", "0+5+6@22"],
                20: ["0+5+6+7@30"],
                21: ["0+6@22", "0+6+7@30"],
                23: ["0+7@30"],
            ])
    }

    @Test func onWindowCloseEmitsEachClosedWindowOnce() throws {
        let results = try Self.run(Self.topology(strategy: .onWindowClose))
        // Stream time 30, grace 5: windows ending before 25 are final.
        #expect(
            results == [
                0: ["0+1+2@10"], 4: ["0+1+2+3@14"], 5: ["0+1+2+3+4@15"], 10: ["0+1+2+3+4+5@20"], 11: ["0+3+4+5@20"],
                12: ["0+3+4+5+6@22"],
            ])
    }

    @Test func reduceMatchesKafkaStreams() throws {
        let builder = StreamsBuilder()
        builder.stream("topic", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(.milliseconds(10), .milliseconds(5)))
            .emitStrategy(.onWindowClose)
            .reduce { $0 + "+" + $1 }
            .toStream()
            .to("out")
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("topic", key: .string, value: .string)
        // Kafka Streams' `testReduceSmallInput`.
        for (value, timestamp) in [("1", 10), ("2", 14), ("3", 15), ("4", 22), ("5", 26), ("6", 30)] as [(String, Int64)] {
            try input.pipeInput(key: "A", value: value, timestamp: timestamp)
        }
        let output = driver.createOutputTopic("out", key: .timeWindowed(.string, size: .milliseconds(10)), value: .optional(.string))
        let results = output.readRecordsToList().map { "\($0.key.window.start):\($0.value ?? "nil")@\($0.timestamp)" }
        #expect(results == ["0:1@10", "4:1+2@14", "5:1+2+3@15", "11:2+3@15", "12:2+3+4@22"])
    }

    @Test func earlyRecordsShareTheFirstWindow() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .int64))
            .groupByKey()
            .windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(.milliseconds(10)))
            .reduce { $0 + $1 }
            .toStream()
            .to("out")
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .int64)
        try input.pipeInput(key: "A", value: 1, timestamp: 3)
        try input.pipeInput(key: "A", value: 10, timestamp: 5)
        let output = driver.createOutputTopic("out", key: .timeWindowed(.string, size: .milliseconds(10)), value: .optional(.int64))
        let results: [WindowedResult<Int64>] = output.readWindowed()
        #expect(
            results == [
                WindowedResult("A", 0, 10, 1, at: 3),
                // The right window of the record at 3 holds the record at 5.
                WindowedResult("A", 4, 14, 10, at: 5),
                WindowedResult("A", 0, 10, 11, at: 5),
            ])
    }

    @Test func recordsOlderThanGraceAreDropped() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .int64))
            .groupByKey()
            .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(.milliseconds(10), .milliseconds(5)))
            .count()
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .int64)
        try input.pipeInput(key: "A", value: 1, timestamp: 100)
        try input.pipeInput(key: "A", value: 1, timestamp: 84)  // window [84, 94] ends before 100 - 5
        #expect(driver.droppedRecordsCount == 1)
        #expect(driver.droppedLateRecordsCount == 1)
        // Its left window [86, 96] is still open, and it joins the window [90, 100].
        try input.pipeInput(key: "A", value: 1, timestamp: 96)
        #expect(driver.droppedRecordsCount == 1)
    }

    @Test func invalidWindowsFailTheBuild() {
        for windows in [
            SlidingWindows.ofTimeDifferenceWithNoGrace(.milliseconds(-1)),
            SlidingWindows.ofTimeDifferenceAndGrace(.seconds(1), .milliseconds(-1)),
        ] {
            let builder = StreamsBuilder()
            builder.stream("in", consumed: .with(key: .string, value: .string)).groupByKey().windowedBy(windows).count()
            #expect(throws: TopologyError.self) { try builder.build() }
        }
    }
}
