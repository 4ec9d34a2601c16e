import KafkaStreams
import KafkaStreamsTesting
import Testing

/// Session windows: new sessions, merges of out-of-order records (with deletes of the merged
/// sessions), separate sessions beyond the gap, lateness, reduce and aggregate with a merger.
@Suite struct SessionWindowsTests {
    static func countTopology(_ windows: SessionWindows, storeType: Materialized<String, Int64>.StoreType = .inMemory)
        throws -> Topology
    {
        let builder = StreamsBuilder()
        builder.stream("clicks", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .windowedBy(windows)
            .count(materialized: .as("sessions", storeType: storeType))
            .toStream()
            .to("out")
        return try builder.build()
    }

    @Test(arguments: [Materialized<String, Int64>.StoreType.inMemory, .persistent])
    func outOfOrderRecordMergesSessions(storeType: Materialized<String, Int64>.StoreType) throws {
        let driver = try TopologyTestDriver(
            topology: Self.countTopology(.ofInactivityGapAndGrace(.seconds(5), .seconds(30)), storeType: storeType))
        let input = driver.createInputTopic("clicks", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .sessionWindowed(.string), value: .optional(.int64))
        try input.pipeInput(key: "u", value: "/a", timestamp: 0)
        try input.pipeInput(key: "u", value: "/b", timestamp: 10_000)  // beyond the gap: a second session
        try input.pipeInput(key: "v", value: "/a", timestamp: 3_000)  // another key: its own session
        try input.pipeInput(key: "u", value: "/c", timestamp: 5_000)  // within the gap of both: merges them
        try input.pipeInput(key: "u", value: "/d", timestamp: 4_000)  // inside the merged session
        let results: [WindowedResult<Int64>] = output.readWindowed()
        #expect(
            results == [
                WindowedResult("u", 0, 0, 1, at: 0),
                WindowedResult("u", 10_000, 10_000, 1, at: 10_000),
                WindowedResult("v", 3_000, 3_000, 1, at: 3_000),
                // The merge deletes both sessions (a nil value), then adds the merged one.
                WindowedResult("u", 0, 0, nil, at: 0),
                WindowedResult("u", 10_000, 10_000, nil, at: 10_000),
                WindowedResult("u", 0, 10_000, 3, at: 10_000),
                WindowedResult("u", 0, 10_000, nil, at: 10_000),
                WindowedResult("u", 0, 10_000, 4, at: 10_000),
            ])
    }

    @Test func recordsBeyondTheGapStartNewSessions() throws {
        let driver = try TopologyTestDriver(topology: Self.countTopology(.ofInactivityGapWithNoGrace(.seconds(5))))
        let input = driver.createInputTopic("clicks", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .sessionWindowed(.string), value: .optional(.int64))
        try input.pipeInput(key: "u", value: "/a", timestamp: 0)
        try input.pipeInput(key: "u", value: "/b", timestamp: 5_000)  // exactly the gap: same session
        try input.pipeInput(key: "u", value: "/c", timestamp: 10_001)  // more than the gap: a new one
        let results: [WindowedResult<Int64>] = output.readWindowed()
        #expect(
            results == [
                WindowedResult("u", 0, 0, 1, at: 0),
                WindowedResult("u", 0, 0, nil, at: 0),
                WindowedResult("u", 0, 5_000, 2, at: 5_000),
                WindowedResult("u", 10_001, 10_001, 1, at: 10_001),
            ])
    }

    @Test func recordForAClosedSessionIsDropped() throws {
        let driver = try TopologyTestDriver(
            topology: Self.countTopology(.ofInactivityGapAndGrace(.seconds(5), .seconds(2))))
        let input = driver.createInputTopic("clicks", key: .string, value: .string)
        try input.pipeInput(key: "u", value: "/a", timestamp: 0)
        try input.pipeInput(key: "u", value: "/b", timestamp: 20_000)  // close time: 20 s - 5 s - 2 s = 13 s
        try input.pipeInput(key: "u", value: "/c", timestamp: 12_000)  // its session [12 s, 12 s] ends before 13 s
        #expect(driver.droppedRecordsCount == 1)
        #expect(driver.droppedLateRecordsCount == 1)
        try input.pipeInput(key: "u", value: "/d", timestamp: 14_000)  // joins nothing, but is not late
        #expect(driver.droppedRecordsCount == 1)
    }

    @Test func aggregateMergesWithTheMerger() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .windowedBy(SessionWindows.ofInactivityGapAndGrace(.seconds(10), .seconds(60)))
            .aggregate(
                initializer: { "" }, merger: { _, left, right in left + "|" + right },
                materialized: .with(value: .string)
            ) { _, value, aggregate in aggregate + value }
            .toStream()
            .to("out")
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .sessionWindowed(.string), value: .optional(.string))
        try input.pipeInput(key: "k", value: "a", timestamp: 0)
        try input.pipeInput(key: "k", value: "b", timestamp: 20_000)
        try input.pipeInput(key: "k", value: "c", timestamp: 10_000)
        let last = try #require(output.readRecordsToList().last)
        #expect(last.key == Windowed(key: "k", start: 0, end: 20_000))
        // merger(merger(initial, a), b), then c added.
        #expect(last.value == "|a|bc")
    }

    @Test func reduceCombinesSessions() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .int64))
            .groupByKey()
            .windowedBy(SessionWindows.ofInactivityGapAndGrace(.seconds(10), .seconds(60)))
            .reduce { $0 + $1 }
            .toStream()
            .to("out")
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .int64)
        let output = driver.createOutputTopic("out", key: .sessionWindowed(.string), value: .optional(.int64))
        try input.pipeInput(key: "k", value: 1, timestamp: 0)
        try input.pipeInput(key: "k", value: 10, timestamp: 20_000)
        try input.pipeInput(key: "k", value: 100, timestamp: 10_000)
        #expect(output.readRecordsToList().last?.value == 111)
    }

    @Test func recordCacheForwardsMergesWhenItFlushes() throws {
        var config = TopologyTestDriver.defaultConfig
        config.cacheMaxBytes = 1 << 20
        let driver = try TopologyTestDriver(
            topology: Self.countTopology(.ofInactivityGapWithNoGrace(.seconds(5))), config: config)
        let input = driver.createInputTopic("clicks", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .sessionWindowed(.string), value: .optional(.int64))
        try input.pipeInput(key: "u", value: "/a", timestamp: 0)
        try input.pipeInput(key: "u", value: "/b", timestamp: 3_000)
        let results: [WindowedResult<Int64>] = output.readWindowed()
        #expect(results.count == 3)
        #expect(results.first == WindowedResult("u", 0, 0, 1, at: 0))
        #expect(Set(results.dropFirst().map(\.description)) == ["u@[0,0]=nil@0", "u@[0,3000]=2@3000"])
    }

    @Test func onWindowCloseEmitsFinalSessions() throws {
        let builder = StreamsBuilder()
        builder.stream("clicks", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .windowedBy(SessionWindows.ofInactivityGapAndGrace(.seconds(5), .seconds(1)))
            .emitStrategy(.onWindowClose)
            .count()
            .toStream()
            .to("out")
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("clicks", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .sessionWindowed(.string), value: .optional(.int64))
        try input.pipeInput(key: "u", value: "/a", timestamp: 0)
        try input.pipeInput(key: "u", value: "/b", timestamp: 3_000)
        try input.pipeInput(key: "v", value: "/a", timestamp: 4_000)
        #expect(output.isEmpty)
        try input.pipeInput(key: "w", value: "/a", timestamp: 9_001)  // close time 3 001: [0, 3 s] is final
        let first: [WindowedResult<Int64>] = output.readWindowed()
        #expect(first == [WindowedResult("u", 0, 3_000, 2, at: 3_000)])
        try input.pipeInput(key: "w", value: "/b", timestamp: 30_000)
        let second: [WindowedResult<Int64>] = output.readWindowed()
        #expect(
            second == [WindowedResult("v", 4_000, 4_000, 1, at: 4_000), WindowedResult("w", 9_001, 9_001, 1, at: 9_001)])
    }

    @Test func generatedNamesAndInvalidWindows() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(.seconds(5)))
            .count()
        let description = try builder.build().describe().description
        #expect(description.contains("Processor: KSTREAM-AGGREGATE-0000000003 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000002])"))

        for windows in [SessionWindows.ofInactivityGapWithNoGrace(.zero), .ofInactivityGapAndGrace(.seconds(1), .seconds(-1))] {
            let invalid = StreamsBuilder()
            invalid.stream("in", consumed: .with(key: .string, value: .string)).groupByKey().windowedBy(windows).count()
            #expect(throws: TopologyError.self) { try invalid.build() }
        }
    }
}
