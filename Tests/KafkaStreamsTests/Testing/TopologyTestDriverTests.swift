import KafkaStreams
import KafkaStreamsTesting
import Testing

/// `TopologyTestDriver`, `TestInputTopic` and `TestOutputTopic` themselves.
@Suite struct TopologyTestDriverTests {
    /// `in -> out` unchanged.
    private func passThrough(
        config: StreamsConfig = TopologyTestDriver.defaultConfig, wallClock: Int64 = 0
    ) throws -> (TopologyTestDriver, TestInputTopic<String, String>, TestOutputTopic<String, String>) {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .to("out", produced: .with(key: .string, value: .string))
        let driver = try TopologyTestDriver(topology: builder.build(), config: config, initialWallClockTime: wallClock)
        return (
            driver, driver.createInputTopic("in", key: .string, value: .string),
            driver.createOutputTopic("out", key: .string, value: .string)
        )
    }

    @Test func outputTopicReaders() throws {
        let (_, input, output) = try passThrough()
        #expect(output.isEmpty)
        #expect(output.readKeyValue() == nil)
        #expect(output.readValue() == nil)
        try input.pipeKeyValueList([("a", "1"), ("b", "2"), ("a", "3"), ("c", "4")])
        #expect(output.queueSize == 4)
        #expect(!output.isEmpty)
        #expect(output.readKeyValue() == kv("a", "1"))
        #expect(output.readValue() == "2")
        #expect(output.queueSize == 2)
        // Reading consumes: the map has what is left.
        #expect(output.readKeyValuesToMap() == ["a": "3", "c": "4"])
        #expect(output.isEmpty)
        #expect(output.readRecordsToList().isEmpty)
    }

    @Test func readKeyValuesToMapKeepsTheLatestValuePerKey() throws {
        let (_, input, output) = try passThrough()
        try input.pipeKeyValueList([("a", "1"), ("a", "2"), ("b", "x"), ("a", "3")])
        #expect(output.readKeyValuesToMap() == ["a": "3", "b": "x"])
    }

    @Test func recordsCarryTimestampsHeadersAndPartition() throws {
        let (_, input, output) = try passThrough()
        var headers = RecordHeaders()
        headers.add("k", [1])
        try input.pipeInput(TestRecord(key: "a", value: "1", timestamp: 77, headers: headers))
        let record = try #require(try output.readRecord())
        #expect(record == TestRecord(key: "a", value: "1", timestamp: 77, headers: headers, partition: 0))
    }

    @Test func implicitTimestampsStartAtTheWallClockAndAutoAdvance() throws {
        let (_, input, output) = try passThrough(wallClock: 1_000)
        input.autoAdvance = 10
        try input.pipeInput(key: "a", value: "1")
        try input.pipeInput(key: "b", value: "2")
        input.advanceTime(by: .seconds(1))
        try input.pipeInput(key: "c", value: "3")
        try input.pipeInput(key: "d", value: "4", timestamp: 5)  // explicit: not advanced
        try input.pipeInput(key: "e", value: "5")
        #expect(output.readRecordsToList().map(\.timestamp) == [1_000, 1_010, 2_020, 5, 2_030])
    }

    @Test func listForms() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .optional(.string), value: .string))
            .to("out", produced: .with(key: .optional(.string), value: .string))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .optional(.string), value: .string)
        let output = driver.createOutputTopic("out", key: .optional(.string), value: .string)
        try input.pipeValueList(["x", "y"])
        try input.pipeRecordList([TestRecord(key: "k", value: "z", timestamp: 9)])
        try input.pipeInput("w")
        #expect(output.readKeyValuesToList() == [kv(nil, "x"), kv(nil, "y"), kv(Optional("k"), "z"), kv(nil, "w")])
    }

    @Test func pipingValuesWithoutKeyNeedsAnOptionalKeySerde() throws {
        let (_, input, _) = try passThrough()
        // A null key cannot be read by a `.string` source: the default handler fails.
        #expect(throws: StreamsError.self) { try input.pipeInput("value") }
    }

    @Test func unknownInputTopic() throws {
        let (driver, _, _) = try passThrough()
        let other = driver.createInputTopic("not-an-input", key: .string, value: .string)
        #expect(throws: StreamsError.self) { try other.pipeInput(key: "k", value: "v", timestamp: 0) }
    }

    @Test func unknownStore() throws {
        let (driver, _, _) = try passThrough()
        #expect {
            _ = try driver.keyValueStore("nope", key: .string, value: .string)
        } throws: { error in
            guard case .unknownStore(let name, _) = error as? StreamsError else { return false }
            return name == "nope"
        }
    }

    @Test func outputOfAnUnwrittenTopicIsEmpty() throws {
        let (driver, input, _) = try passThrough()
        try input.pipeInput(key: "k", value: "v", timestamp: 0)
        #expect(driver.createOutputTopic("elsewhere", key: .string, value: .string).isEmpty)
    }

    @Test func outputThatCannotBeReadWithTheGivenSerdes() throws {
        let (driver, input, _) = try passThrough()
        try input.pipeInput(key: "k", value: "not a number", timestamp: 0)
        let numbers = driver.createOutputTopic("out", key: .string, value: .int64)
        #expect(throws: SerdeError.self) { try numbers.readRecord() }
        #expect(numbers.isEmpty)
    }

    @Test func invalidConfigIsRejected() throws {
        var config = TopologyTestDriver.defaultConfig
        config.applicationID = "has spaces"
        #expect {
            _ = try passThrough(config: config)
        } throws: { error in
            (error as? StreamsConfigError)?.setting == "applicationID"
        }
    }

    @Test func partitionCountsMustBePositive() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .to("out", produced: .with(key: .string, value: .string))
        #expect(throws: StreamsConfigError.self) {
            _ = try TopologyTestDriver(topology: builder.build(), partitions: ["in": 0])
        }
    }

    @Test func wallClockAdvances() throws {
        let (driver, _, _) = try passThrough(wallClock: 100)
        #expect(driver.wallClockTime == 100)
        try driver.advanceWallClockTime(by: .milliseconds(250))
        try driver.advanceWallClockTime(by: .seconds(2))
        #expect(driver.wallClockTime == 2_350)
    }

    @Test func driversAreIndependent() throws {
        func counter() throws -> TopologyTestDriver {
            let builder = StreamsBuilder()
            builder.stream("in", consumed: .with(key: .string, value: .string))
                .groupByKey()
                .count(materialized: .as("counts"))  // RocksDB: each driver has its own directory
            return try TopologyTestDriver(topology: builder.build())
        }
        let first = try counter()
        let second = try counter()
        try first.createInputTopic("in", key: .string, value: .string).pipeInput(key: "a", value: "", timestamp: 0)
        try first.createInputTopic("in", key: .string, value: .string).pipeInput(key: "a", value: "", timestamp: 0)
        try second.createInputTopic("in", key: .string, value: .string).pipeInput(key: "a", value: "", timestamp: 0)
        #expect(try first.keyValueStore("counts", key: .string, value: .int64).get("a") == 2)
        #expect(try second.keyValueStore("counts", key: .string, value: .int64).get("a") == 1)
        try first.close()
        try second.close()
    }

    @Test func defaultConfig() {
        let config = TopologyTestDriver.defaultConfig
        #expect(config.applicationID == "test-driver")
        #expect(config.cacheMaxBytes == 0)
    }
}
