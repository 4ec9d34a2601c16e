import KafkaStreams
import KafkaStreamsTesting
import Testing

/// `KTable.suppress`: final results of windows, time limits, buffer bounds, the buffer's
/// changelog, and the checks at build time.
@Suite struct SuppressTests {
    static func finalCounts(
        _ windows: TimeWindows, bufferConfig: BufferConfig = .unbounded(), output: String = "out"
    ) throws -> Topology {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .windowedBy(windows)
            .count(materialized: .as("counts"))
            .suppress(.untilWindowCloses(bufferConfig))
            .toStream()
            .to(output)
        return try builder.build()
    }

    @Test func untilWindowClosesEmitsExactlyOncePerWindow() throws {
        let driver = try TopologyTestDriver(topology: Self.finalCounts(.ofSizeAndGrace(.seconds(60), .seconds(10))))
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .timeWindowed(.string, size: .seconds(60)), value: .optional(.int64))
        try input.pipeInput(key: "alice", value: "/a", timestamp: 1_000)
        try input.pipeInput(key: "bob", value: "/a", timestamp: 2_000)
        try input.pipeInput(key: "alice", value: "/b", timestamp: 30_000)
        try input.pipeInput(key: "alice", value: "/c", timestamp: 65_000)  // [0, 60 s) ends, but grace lasts to 70 s
        try input.pipeInput(key: "bob", value: "/b", timestamp: 50_000)  // within grace
        #expect(output.isEmpty)
        try input.pipeInput(key: "carol", value: "/a", timestamp: 69_999)
        #expect(output.isEmpty)
        try input.pipeInput(key: "carol", value: "/b", timestamp: 70_000)  // stream time reaches end + grace
        let first: [WindowedResult<Int64>] = output.readWindowed()
        #expect(first == [WindowedResult("alice", 0, minute, 2, at: 30_000), WindowedResult("bob", 0, minute, 2, at: 50_000)])
        try input.pipeInput(key: "carol", value: "/c", timestamp: 71_000)
        try input.pipeInput(key: "bob", value: "/c", timestamp: 3_000)  // late: dropped by the aggregation
        #expect(output.isEmpty)
        try input.pipeInput(key: "dave", value: "/a", timestamp: 130_000)
        let second: [WindowedResult<Int64>] = output.readWindowed()
        #expect(
            second == [WindowedResult("alice", minute, 2 * minute, 1, at: 65_000), WindowedResult("carol", minute, 2 * minute, 3, at: 71_000)])
        #expect(driver.droppedLateRecordsCount == 1)
    }

    @Test func finalResultsOfSessionsDropMergedAwaySessions() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .windowedBy(SessionWindows.ofInactivityGapAndGrace(.seconds(5), .seconds(1)))
            .count()
            .suppress(.untilWindowCloses(.unbounded()))
            .toStream()
            .to("out")
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .sessionWindowed(.string), value: .optional(.int64))
        try input.pipeInput(key: "u", value: "/a", timestamp: 0)
        try input.pipeInput(key: "u", value: "/b", timestamp: 4_000)  // merges: [0, 0] is deleted
        try input.pipeInput(key: "v", value: "/a", timestamp: 9_999)  // close time: 9 999 - 6 000 = 3 999
        #expect(output.isEmpty)
        try input.pipeInput(key: "v", value: "/b", timestamp: 10_001)  // the session [0, 4 s] closes at 10 s
        let results: [WindowedResult<Int64>] = output.readWindowed()
        #expect(results == [WindowedResult("u", 0, 4_000, 2, at: 4_000)])
    }

    @Test func untilTimeLimitEmitsTheLatestUpdatePerKey() throws {
        let builder = StreamsBuilder()
        builder.table("in", consumed: .with(key: .string, value: .string), materialized: .as("table"))
            .suppress(.untilTimeLimit(.seconds(10), maxRecords: 100))
            .toStream()
            .to("out")
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .optional(.string))
        let output = driver.createOutputTopic("out", key: .string, value: .optional(.string))
        try input.pipeInput(key: "a", value: "1", timestamp: 0)
        try input.pipeInput(key: "a", value: "2", timestamp: 5_000)  // replaces "1", keeps its buffer time 0
        try input.pipeInput(key: "b", value: "1", timestamp: 6_000)
        #expect(output.isEmpty)
        try input.pipeInput(key: "c", value: "1", timestamp: 10_000)  // a's time limit is up
        #expect(output.readRecordsToList().map { "\($0.key)=\($0.value ?? "nil")@\($0.timestamp)" } == ["a=2@5000"])
        try input.pipeInput(key: "b", value: nil, timestamp: 12_000)  // a delete, buffered like any update
        try input.pipeInput(key: "d", value: "1", timestamp: 16_000)
        #expect(output.readRecordsToList().map { "\($0.key)=\($0.value ?? "nil")@\($0.timestamp)" } == ["b=nil@12000"])
    }

    @Test func fullBufferEmitsEarly() throws {
        let builder = StreamsBuilder()
        builder.table("in", consumed: .with(key: .string, value: .string), materialized: .as("table"))
            .suppress(.untilTimeLimit(.seconds(60), maxRecords: 2))
            .toStream()
            .to("out")
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .optional(.string))
        let output = driver.createOutputTopic("out", key: .string, value: .optional(.string))
        try input.pipeInput(key: "a", value: "1", timestamp: 0)
        try input.pipeInput(key: "b", value: "1", timestamp: 1)
        try input.pipeInput(key: "a", value: "2", timestamp: 2)  // still two keys
        #expect(output.isEmpty)
        try input.pipeInput(key: "c", value: "1", timestamp: 3)  // three keys: the oldest leaves early
        #expect(output.readKeyValuesToList() == [KeyValue("a", "2")])
    }

    @Test func fullBufferShutsDownWhenAsked() throws {
        let driver = try TopologyTestDriver(
            topology: Self.finalCounts(.ofSizeWithNoGrace(.seconds(60)), bufferConfig: .maxRecords(1).shutDownWhenFull()))
        let input = driver.createInputTopic("in", key: .string, value: .string)
        try input.pipeInput(key: "a", value: "v", timestamp: 0)
        #expect {
            try input.pipeInput(key: "b", value: "v", timestamp: 1)
        } throws: { error in
            guard case StreamsError.processing(let node, _, let message) = error else { return false }
            return node == "KTABLE-SUPPRESS-0000000002" && message.contains("2/1 records")
        }
    }

    @Test func maxBytesBoundsTheBuffer() throws {
        let builder = StreamsBuilder()
        builder.table("in", consumed: .with(key: .string, value: .string), materialized: .as("table"))
            .suppress(.untilTimeLimit(.seconds(60), bufferConfig: .maxBytes(80)))
            .toStream()
            .to("out")
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .optional(.string))
        let output = driver.createOutputTopic("out", key: .string, value: .optional(.string))
        try input.pipeInput(key: "a", value: "x", timestamp: 0)  // 8 + 1 key bytes, 8 + 4 + 1 + 4 + 4 value bytes
        try input.pipeInput(key: "b", value: "x", timestamp: 1)
        #expect(output.isEmpty)
        try input.pipeInput(key: "c", value: String(repeating: "y", count: 40), timestamp: 2)
        #expect(output.readKeyValuesToList().map(\.key) == ["a", "b"])
    }

    @Test func bufferIsLoggedToItsChangelogAndNamed() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeWithNoGrace(.seconds(10)))
            .count()
            .suppress(Suppressed.untilWindowCloses(.unbounded()).withName("final"))
            .toStream()
            .to("out")
        let topology = try builder.build()
        #expect(topology.describe().description.contains("Processor: final (stores: [final-store])"))
        let driver = try TopologyTestDriver(topology: topology)
        try driver.createInputTopic("in", key: .string, value: .string).pipeInput(key: "a", value: "v", timestamp: 1)
        let changelog = driver.createOutputTopic(driver.internalTopicName("final-store-changelog"), key: .bytes, value: .optional(.bytes))
        let entry = try #require(try changelog.readRecord())
        // [buffer time = window end 10 000: 8 bytes BE][windowed key "a" @ 0].
        #expect(entry.key == [0, 0, 0, 0, 0, 0, 0x27, 0x10, 0x61, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(entry.value != nil)
    }

    @Test func bufferChangelogRecordsUpdatesAndEvictions() throws {
        // The changelog is what restores the buffer after a restart (see the integration tests).
        let driver = try TopologyTestDriver(topology: Self.finalCounts(.ofSizeWithNoGrace(.seconds(10))))
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .timeWindowed(.string, size: .seconds(10)), value: .optional(.int64))
        try input.pipeInput(key: "a", value: "v", timestamp: 1)
        try input.pipeInput(key: "a", value: "v", timestamp: 2)
        let changelog = driver.createOutputTopic(
            driver.internalTopicName("KTABLE-SUPPRESS-STATE-STORE-0000000003-changelog"), key: .bytes, value: .optional(.bytes))
        #expect(changelog.queueSize == 2)
        try input.pipeInput(key: "b", value: "v", timestamp: 10_000)
        let results: [WindowedResult<Int64>] = output.readWindowed()
        #expect(results == [WindowedResult("a", 0, 10_000, 2, at: 2)])
        // b's entry, then the eviction of a's: a tombstone.
        let records = changelog.readRecordsToList()
        #expect(records.map { $0.value == nil } == [false, false, false, true])
    }

    @Test func untilWindowClosesNeedsAWindowedAggregation() {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .timeWindowed(.string, size: .seconds(10)), value: .int64))
            .toTable(materialized: .as("windowed"))
            .suppress(.untilWindowCloses(.unbounded()))
        #expect {
            try builder.build()
        } throws: { error in
            "\(error)".contains("window close time is only defined for windowed computations")
        }
    }

    @Test func untilWindowClosesRejectsABufferThatEmitsEarly() {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeWithNoGrace(.seconds(10)))
            .count()
            .suppress(.untilWindowCloses(.maxRecords(10)))
        #expect(throws: TopologyError.self) { try builder.build() }
    }

    @Test func suppressThroughTableOperatorsFindsTheGrace() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeAndGrace(.seconds(10), .seconds(5)))
            .count()
            .filter { _, count in count > 1 }
            .suppress(.untilWindowCloses(.unbounded()))
            .toStream()
            .to("out")
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .timeWindowed(.string, size: .seconds(10)), value: .optional(.int64))
        try input.pipeInput(key: "a", value: "v", timestamp: 0)
        try input.pipeInput(key: "a", value: "v", timestamp: 1)
        try input.pipeInput(key: "b", value: "v", timestamp: 14_999)
        #expect(output.isEmpty)
        try input.pipeInput(key: "b", value: "v", timestamp: 15_000)
        let results: [WindowedResult<Int64>] = output.readWindowed()
        #expect(results == [WindowedResult("a", 0, 10_000, 2, at: 1)])
    }
}
