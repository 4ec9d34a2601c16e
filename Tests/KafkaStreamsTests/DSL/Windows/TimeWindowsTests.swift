import KafkaStreams
import KafkaStreamsTesting
import Synchronization
import Testing

/// Tumbling and hopping windows: which windows a record falls in, aggregation per window, grace
/// and late records, retention, names and the record cache.
@Suite struct TimeWindowsTests {
    static let storeTypes: [Materialized<String, Int64>.StoreType] = [.inMemory, .persistent]

    /// The updates of a count of `views` per key and one-minute tumbling window.
    static func minuteCounts(
        _ builder: StreamsBuilder, storeType: Materialized<String, Int64>.StoreType
    ) -> KStream<Windowed<String>, Int64?> {
        builder.stream("views", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeWithNoGrace(.seconds(60)))
            .count(materialized: .as("counts", storeType: storeType))
            .toStream()
    }

    @Test func windowsForTumblingAndHoppingWindows() {
        let tumbling = TimeWindows.ofSizeWithNoGrace(.seconds(10))
        #expect(tumbling.windowsFor(0) == [TimeWindow(start: 0, end: 10_000)])
        #expect(tumbling.windowsFor(9_999) == [TimeWindow(start: 0, end: 10_000)])
        #expect(tumbling.windowsFor(10_000) == [TimeWindow(start: 10_000, end: 20_000)])
        let hopping = TimeWindows.ofSizeWithNoGrace(.seconds(10)).advanceBy(.seconds(5))
        #expect(hopping.windowsFor(7_000) == [TimeWindow(start: 0, end: 10_000), TimeWindow(start: 5_000, end: 15_000)])
        #expect(hopping.windowsFor(10_000) == [TimeWindow(start: 5_000, end: 15_000), TimeWindow(start: 10_000, end: 20_000)])
        // No window starts before 0.
        #expect(hopping.windowsFor(3_000) == [TimeWindow(start: 0, end: 10_000)])
        #expect(hopping.size == .seconds(10))
        #expect(hopping.advance == .seconds(5))
        #expect(TimeWindows.ofSizeAndGrace(.seconds(60), .seconds(10)).gracePeriod == .seconds(10))
    }

    @Test(arguments: storeTypes)
    func tumblingCountsPerKeyAndWindow(storeType: Materialized<String, Int64>.StoreType) throws {
        let builder = StreamsBuilder()
        Self.minuteCounts(builder, storeType: storeType)
            .to("counts-out", produced: .with(key: .timeWindowed(.string, size: .seconds(60)), value: .int64))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("views", key: .string, value: .string)
        let output = driver.createOutputTopic(
            "counts-out", key: .timeWindowed(.string, size: .seconds(60)), value: .optional(.int64))
        try input.pipeInput(key: "alice", value: "/a", timestamp: 1_000)
        try input.pipeInput(key: "bob", value: "/a", timestamp: 2_000)
        try input.pipeInput(key: "alice", value: "/b", timestamp: 59_999)
        try input.pipeInput(key: "alice", value: "/c", timestamp: 60_000)
        let results: [WindowedResult<Int64>] = output.readWindowed()
        #expect(
            results == [
                WindowedResult("alice", 0, minute, 1, at: 1_000),
                WindowedResult("bob", 0, minute, 1, at: 2_000),
                WindowedResult("alice", 0, minute, 2, at: 59_999),
                WindowedResult("alice", minute, 2 * minute, 1, at: 60_000),
            ])
        #expect(driver.droppedRecordsCount == 0)
    }

    /// The aggregation builds each update's `Windowed` key in one reused place: keys kept
    /// downstream must still be values of their own.
    @Test(arguments: storeTypes)
    func windowedKeysKeptDownstreamStayAsForwarded(storeType: Materialized<String, Int64>.StoreType) throws {
        let kept = Mutex<[Windowed<String>]>([])
        let builder = StreamsBuilder()
        Self.minuteCounts(builder, storeType: storeType)
            .peek { key, _ in kept.withLock { $0.append(key) } }
            .to("counts-out", produced: .with(key: .timeWindowed(.string, size: .seconds(60)), value: .int64))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("views", key: .string, value: .string)
        try input.pipeInput(key: "a-rather-long-key-on-the-heap", value: "/a", timestamp: 1_000)
        try input.pipeInput(key: "b", value: "/a", timestamp: 61_000)
        try input.pipeInput(key: "a-rather-long-key-on-the-heap", value: "/b", timestamp: 62_000)
        #expect(
            kept.withLock { $0 } == [
                Windowed(key: "a-rather-long-key-on-the-heap", start: 0, end: minute),
                Windowed(key: "b", start: minute, end: 2 * minute),
                Windowed(key: "a-rather-long-key-on-the-heap", start: minute, end: 2 * minute),
            ])
        let output = driver.createOutputTopic(
            "counts-out", key: .timeWindowed(.string, size: .seconds(60)), value: .optional(.int64))
        #expect(output.readWindowed().count == 3)
    }

    @Test func hoppingRecordFallsInSeveralWindows() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .int64))
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeWithNoGrace(.seconds(10)).advanceBy(.seconds(5)))
            .reduce { $0 + $1 }
            .toStream()
            .to("out")
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .int64)
        let output = driver.createOutputTopic("out", key: .timeWindowed(.string, size: .seconds(10)), value: .optional(.int64))
        try input.pipeInput(key: "k", value: 1, timestamp: 7_000)  // [0, 10 s) and [5 s, 15 s)
        try input.pipeInput(key: "k", value: 10, timestamp: 12_000)  // [5 s, 15 s) and [10 s, 20 s)
        let results: [WindowedResult<Int64>] = output.readWindowed()
        #expect(
            results == [
                WindowedResult("k", 0, 10_000, 1, at: 7_000),
                WindowedResult("k", 5_000, 15_000, 1, at: 7_000),
                WindowedResult("k", 5_000, 15_000, 11, at: 12_000),
                WindowedResult("k", 10_000, 20_000, 10, at: 12_000),
            ])
    }

    @Test func aggregateKeepsTheLatestTimestampOfEachWindow() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeAndGrace(.seconds(10), .seconds(10)))
            .aggregate(initializer: { "" }, materialized: .with(value: .string)) { _, value, joined in joined + value }
            .toStream()
            .to("out")
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .timeWindowed(.string, size: .seconds(10)), value: .optional(.string))
        try input.pipeInput(key: "k", value: "a", timestamp: 5_000)
        try input.pipeInput(key: "k", value: "b", timestamp: 2_000)  // out of order, same window
        let results: [WindowedResult<String>] = output.readWindowed()
        #expect(
            results == [
                WindowedResult("k", 0, 10_000, "a", at: 5_000),
                WindowedResult("k", 0, 10_000, "ab", at: 5_000),
            ])
    }

    @Test func lateRecordPastGraceIsDroppedAndCounted() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeAndGrace(.seconds(60), .seconds(10)))
            .count()
            .toStream()
            .to("out")
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .timeWindowed(.string, size: .seconds(60)), value: .optional(.int64))
        try input.pipeInput(key: "k", value: "v", timestamp: 0)
        try input.pipeInput(key: "k", value: "v", timestamp: 65_000)  // stream time 65 s: [0, 60 s) open until 70 s
        try input.pipeInput(key: "k", value: "v", timestamp: 5_000)  // within grace: counted
        try input.pipeInput(key: "k", value: "v", timestamp: 70_000)  // stream time 70 s closes [0, 60 s)
        try input.pipeInput(key: "k", value: "v", timestamp: 10_000)  // late: dropped
        let results: [WindowedResult<Int64>] = output.readWindowed()
        #expect(
            results == [
                WindowedResult("k", 0, minute, 1, at: 0),
                WindowedResult("k", minute, 2 * minute, 1, at: 65_000),
                WindowedResult("k", 0, minute, 2, at: 5_000),
                WindowedResult("k", minute, 2 * minute, 2, at: 70_000),
            ])
        #expect(driver.droppedRecordsCount == 1)
        #expect(driver.droppedLateRecordsCount == 1)
    }

    @Test func nullKeysAreSkippedAndCounted() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .optional(.string), value: .string))
            .groupByKey(grouped: .with(key: .optional(.string), value: .string))
            .windowedBy(TimeWindows.ofSizeWithNoGrace(.seconds(10)))
            .count()
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .optional(.string), value: .string)
        try input.pipeInput(key: nil, value: "v", timestamp: 0)
        #expect(driver.droppedRecordsCount == 1)
        #expect(driver.droppedLateRecordsCount == 0)
    }

    @Test func windowedKeysOnTheOutputTopicHaveKafkasLayout() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeWithNoGrace(.seconds(60)))
            .count()
            .toStream()
            .to("out")  // the table's key serde: .timeWindowed(.string, size: 60 s)
        let driver = try TopologyTestDriver(topology: builder.build())
        try driver.createInputTopic("in", key: .string, value: .string).pipeInput(key: "ab", value: "v", timestamp: 61_000)
        let raw = try #require(try driver.createOutputTopic("out", key: .bytes, value: .bytes).readRecord())
        // [key "ab"][window start 60000: 8 bytes big-endian]; the value is Kafka's LongSerializer.
        #expect(raw.key == [0x61, 0x62, 0, 0, 0, 0, 0, 0, 0xEA, 0x60])
        #expect(raw.value == [0, 0, 0, 0, 0, 0, 0, 1])
        let windowed = try Serde<Windowed<String>>.timeWindowed(.string, size: .seconds(60)).deserialize(raw.key)
        #expect(windowed == Windowed(key: "ab", start: 60_000, end: 120_000))
    }

    @Test func generatedNamesFollowKafkaStreams() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeWithNoGrace(.seconds(60)))
            .count()
            .toStream()
            .to("out", produced: .with(key: .timeWindowed(.string, size: .seconds(60)), value: .int64))
        let description = try builder.build().describe().description
        // count() takes one store index it does not use, as Kafka Streams does.
        #expect(description.contains("Processor: KSTREAM-AGGREGATE-0000000003 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000002])"))
        #expect(description.contains("Processor: KTABLE-TOSTREAM-0000000004"))
    }

    @Test func repartitionsAfterAKeyChange() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .selectKey { _, value in value }
            .groupByKey(grouped: .with(key: .string, value: .string))
            .windowedBy(TimeWindows.ofSizeWithNoGrace(.seconds(10)))
            .count(materialized: .as("per-page"))
            .toStream()
            .to("out")
        let topology = try builder.build()
        #expect(topology.describe().subtopologies.count == 2)
        let driver = try TopologyTestDriver(topology: topology)
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .timeWindowed(.string, size: .seconds(10)), value: .optional(.int64))
        try input.pipeInput(key: "u1", value: "/home", timestamp: 1_000)
        try input.pipeInput(key: "u2", value: "/home", timestamp: 2_000)
        let results: [WindowedResult<Int64>] = output.readWindowed()
        #expect(results.last == WindowedResult("/home", 0, 10_000, 2, at: 2_000))
        // The repartition topic is named after the store, and the changelog is compact,delete.
        let changelog = driver.createOutputTopic(
            driver.internalTopicName("per-page-changelog"), key: .bytes, value: .int64)
        #expect(changelog.queueSize == 2)
    }

    @Test func changelogCarriesThePlainCountWithTheWindowKey() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeWithNoGrace(.seconds(10)))
            .count(materialized: .as("counts"))
        let driver = try TopologyTestDriver(topology: builder.build())
        try driver.createInputTopic("in", key: .string, value: .string).pipeInput(key: "a", value: "v", timestamp: 12_000)
        let changelog = driver.createOutputTopic(driver.internalTopicName("counts-changelog"), key: .bytes, value: .int64)
        let record = try #require(try changelog.readRecord())
        // [key][window start 10000: 8 BE][sequence number 0: 4 BE], value 1 with timestamp 12000.
        #expect(record.key == [0x61, 0, 0, 0, 0, 0, 0, 0x27, 0x10, 0, 0, 0, 0])
        #expect(record.value == 1)
        #expect(record.timestamp == 12_000)
    }

    @Test func recordCacheForwardsFlushedWindows() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .flatMapValues { line in line.split(separator: " ").map(String.init) }
            .groupBy(grouped: .with(key: .string, value: .string)) { _, word in word }
            .windowedBy(TimeWindows.ofSizeWithNoGrace(.seconds(10)))
            .count()
            .toStream()
            .to("out")
        var config = TopologyTestDriver.defaultConfig
        config.cacheMaxBytes = 1 << 20
        let driver = try TopologyTestDriver(topology: builder.build(), config: config)
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .timeWindowed(.string, size: .seconds(10)), value: .optional(.int64))
        try input.pipeInput(key: "line", value: "a a b", timestamp: 1_000)  // one flush per input record
        try input.pipeInput(key: "line", value: "a", timestamp: 11_000)
        let results: [WindowedResult<Int64>] = output.readWindowed()
        #expect(
            results == [
                WindowedResult("a", 0, 10_000, 2, at: 1_000),
                WindowedResult("b", 0, 10_000, 1, at: 1_000),
                WindowedResult("a", 10_000, 20_000, 1, at: 11_000),
            ])
    }

    @Test func retentionDefaultsToSizePlusGraceAndMayBeLonger() throws {
        let tooShort = StreamsBuilder()
        tooShort.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeAndGrace(.seconds(60), .seconds(10)))
            .count(materialized: Materialized.as("counts").withRetention(.seconds(69)))
        #expect(throws: TopologyError.self) { try tooShort.build() }

        let longer = StreamsBuilder()
        longer.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeAndGrace(.seconds(60), .seconds(10)))
            .count(materialized: Materialized.as("counts").withRetention(.seconds(3600)))
        _ = try longer.build()
    }

    @Test func invalidWindowsFailTheBuild() {
        let invalid: [TimeWindows] = [
            .ofSizeWithNoGrace(.zero),
            .ofSizeAndGrace(.seconds(1), .seconds(-1)),
            TimeWindows.ofSizeWithNoGrace(.seconds(10)).advanceBy(.seconds(11)),
            TimeWindows.ofSizeWithNoGrace(.seconds(10)).advanceBy(.zero),
        ]
        for windows in invalid {
            let builder = StreamsBuilder()
            builder.stream("in", consumed: .with(key: .string, value: .string)).groupByKey().windowedBy(windows).count()
            #expect(throws: TopologyError.self, "\(windows)") { try builder.build() }
        }
    }
}
