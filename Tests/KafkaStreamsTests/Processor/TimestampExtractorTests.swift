import KafkaStreams
import KafkaStreamsTesting
import Testing

/// Timestamp extractors on sources: per `Consumed`, as the config's default, wall-clock time,
/// and what happens to negative timestamps.
@Suite struct TimestampExtractorTests {
    struct Event: Codable, Equatable, Sendable {
        var name: String
        var at: Int64
    }

    /// Counts per 10 s window, so that the timestamp used is visible in the window.
    static func windowedCounts(_ consumed: Consumed<String, Event>) -> StreamsBuilder {
        let builder = StreamsBuilder()
        builder.stream("events", consumed: consumed)
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeWithNoGrace(.seconds(10)))
            .count()
            .toStream()
            .to("out")
        return builder
    }

    @Test func closureExtractorReadsTheEventTime() throws {
        let builder = Self.windowedCounts(
            Consumed.with(key: .string, value: .json(Event.self)).withTimestampExtractor { record, _ in record.value.at })
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("events", key: .string, value: .json(Event.self))
        let output = driver.createOutputTopic("out", key: .timeWindowed(.string, size: .seconds(10)), value: .optional(.int64))
        try input.pipeInput(key: "k", value: Event(name: "a", at: 25_000), timestamp: 1_000)
        let record = try #require(try output.readRecord())
        #expect(record.key.window == TimeWindow(start: 20_000, end: 30_000))
        #expect(record.timestamp == 25_000)
    }

    struct EventTime: TimestampExtractor {
        func extract<Key, Value>(_ record: Record<Key, Value>, partitionTime: Int64) throws -> Int64 {
            (record.value as? Event)?.at ?? record.timestamp
        }
    }

    @Test func configDefaultExtractorAppliesToEverySource() throws {
        let builder = Self.windowedCounts(.with(key: .string, value: .json(Event.self)))
        var config = TopologyTestDriver.defaultConfig
        config.defaultTimestampExtractor = EventTime()
        let driver = try TopologyTestDriver(topology: builder.build(), config: config)
        let input = driver.createInputTopic("events", key: .string, value: .json(Event.self))
        let output = driver.createOutputTopic("out", key: .timeWindowed(.string, size: .seconds(10)), value: .optional(.int64))
        try input.pipeInput(key: "k", value: Event(name: "a", at: 42_000), timestamp: 0)
        #expect(try output.readRecord()?.key.window.start == 40_000)
    }

    @Test func extractorSeesThePartitionTime() throws {
        let seen = Collected<Int64>()
        let builder = StreamsBuilder()
        builder.stream(
            "in",
            consumed: Consumed.with(key: .string, value: .int64).withTimestampExtractor { record, partitionTime in
                seen.append(partitionTime)
                return record.value
            }
        ).to("out")
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .int64)
        try input.pipeInput(key: "k", value: 50, timestamp: 0)
        try input.pipeInput(key: "k", value: 20, timestamp: 0)
        try input.pipeInput(key: "k", value: 70, timestamp: 0)
        #expect(seen.values == [-1, 50, 50])
        let output = driver.createOutputTopic("out", key: .string, value: .int64)
        #expect(output.readRecordsToList().map(\.timestamp) == [50, 20, 70])
    }

    @Test func wallClockExtractorUsesTheDriversClock() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: Consumed.with(key: .string, value: .string).withTimestampExtractor(.wallClock))
            .to("out")
        let driver = try TopologyTestDriver(topology: builder.build(), initialWallClockTime: 1_000_000)
        let input = driver.createInputTopic("in", key: .string, value: .string)
        try input.pipeInput(key: "k", value: "v", timestamp: 5)
        try driver.advanceWallClockTime(by: .seconds(2))
        try input.pipeInput(key: "k", value: "v", timestamp: 5)
        let output = driver.createOutputTopic("out", key: .string, value: .string)
        #expect(output.readRecordsToList().map(\.timestamp) == [1_000_000, 1_002_000])
    }

    @Test func negativeTimestampsAreSkippedAndCountedByDefault() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: Consumed.with(key: .string, value: .int64).withTimestampExtractor { record, _ in record.value })
            .to("out")
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .int64)
        try input.pipeInput(key: "k", value: -5, timestamp: 0)
        try input.pipeInput(key: "k", value: 7, timestamp: 0)
        let output = driver.createOutputTopic("out", key: .string, value: .int64)
        #expect(output.readValuesToList() == [7])
        #expect(driver.droppedRecordsCount == 1)
    }

    @Test func negativeTimestampsFailWhenAsked() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string)).to("out")
        var config = TopologyTestDriver.defaultConfig
        config.invalidTimestampHandler = .logAndFail
        let driver = try TopologyTestDriver(topology: builder.build(), config: config)
        let input = driver.createInputTopic("in", key: .string, value: .string)
        #expect {
            try input.pipeInput(key: "k", value: "v", timestamp: -1)
        } throws: { error in
            guard case StreamsError.invalidTimestamp(let topic, _, _, let timestamp) = error else { return false }
            return topic == "in" && timestamp == -1
        }
    }

    @Test func negativeTimestampsTakeThePartitionTimeWhenAsked() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string)).to("out")
        var config = TopologyTestDriver.defaultConfig
        config.invalidTimestampHandler = .usePartitionTime
        let driver = try TopologyTestDriver(topology: builder.build(), config: config)
        let input = driver.createInputTopic("in", key: .string, value: .string)
        #expect(throws: StreamsError.self) { try input.pipeInput(key: "k", value: "first", timestamp: -1) }
        try input.pipeInput(key: "k", value: "a", timestamp: 30)
        try input.pipeInput(key: "k", value: "b", timestamp: -1)
        let output = driver.createOutputTopic("out", key: .string, value: .string)
        #expect(output.readRecordsToList().map(\.timestamp) == [30, 30])
    }

    @Test func extractorErrorsGoToTheProcessingHandler() throws {
        let builder = StreamsBuilder()
        builder.stream(
            "in",
            consumed: Consumed.with(key: .string, value: .string, timestampExtractor: ClosureTimestampExtractor {
                (_: Record<String, String>, _: Int64) in throw Boom()
            })
        ).to("out")
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        #expect {
            try input.pipeInput(key: "k", value: "v", timestamp: 1)
        } throws: { error in
            guard case StreamsError.processing(let node, _, _) = error else { return false }
            return node == "KSTREAM-SOURCE-0000000000"
        }
    }

    @Test func streamTimePunctuationFollowsExtractedTimestamps() throws {
        let fired = Collected<Int64>()
        let topology = Topology()
        try topology.addSource(
            "source", timestampExtractor: ClosureTimestampExtractor { (record: Record<String, Int64>, _) in record.value },
            topics: ["in"], key: .string, value: .int64)
        try topology.addProcessor("ticks", parents: ["source"]) { (context: ProcessorContext<String, Int64>) in
            try Ticker(context: context, fired: fired)
        }
        let driver = try TopologyTestDriver(topology: topology)
        let input = driver.createInputTopic("in", key: .string, value: .int64)
        try input.pipeInput(key: "k", value: 10_500, timestamp: 0)
        try input.pipeInput(key: "k", value: 12_100, timestamp: 0)
        #expect(fired.values == [10_500, 12_100])
    }

    struct Ticker: Processor {
        let context: ProcessorContext<String, Int64>
        init(context: ProcessorContext<String, Int64>) { self.context = context }
        init(context: ProcessorContext<String, Int64>, fired: Collected<Int64>) throws {
            self.context = context
            try context.schedule(interval: .seconds(1), type: .streamTime) { time in fired.append(time) }
        }
        func process(_ record: Record<String, Int64>) throws {}
    }
}
