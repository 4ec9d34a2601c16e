import KafkaStreams
import KafkaStreamsTesting
import Testing

/// What happens to records that cannot be deserialized (the deserialization handler) and to
/// records a processor throws on (the processing handler).
@Suite struct DeserializationHandlerTests {
    /// `numbers (string -> int64) -> doubled -> out`.
    private func driver(_ configure: (inout StreamsConfig) -> Void = { _ in }) throws -> TopologyTestDriver {
        let builder = StreamsBuilder()
        builder.stream("numbers", consumed: .with(key: .string, value: .int64))
            .mapValues { $0 * 2 }
            .to("out", produced: .with(key: .string, value: .int64))
        var config = TopologyTestDriver.defaultConfig
        configure(&config)
        return try TopologyTestDriver(topology: builder.build(), config: config)
    }

    private let poisonPill: [UInt8] = Array("not eight bytes".utf8)

    @Test func defaultHandlerFailsWithTheRecordsPosition() throws {
        let driver = try driver()
        let input = driver.createInputTopic("numbers", key: .string, value: .int64)
        try input.pipeInput(key: "ok", value: 1, timestamp: 0)
        #expect {
            try input.pipeRawInput(key: Array("bad".utf8), value: poisonPill, timestamp: 0)
        } throws: { error in
            guard case .deserialization(let topic, let partition, let offset, let underlying) = error as? StreamsError
            else { return false }
            return topic == "numbers" && partition == 0 && offset == 1 && underlying.serde == "int64"
                && underlying.kind == .wrongSize(expected: 8, actual: 15)
        }
    }

    @Test func nullValueForANonOptionalTypeIsADeserializationError() throws {
        let driver = try driver()
        let input = driver.createInputTopic("numbers", key: .string, value: .int64)
        #expect {
            try input.pipeRawInput(key: Array("k".utf8), value: nil, timestamp: 0)
        } throws: { error in
            guard case .deserialization(_, _, _, let underlying) = error as? StreamsError else { return false }
            return underlying.kind == .unexpectedNull
        }
    }

    @Test func logAndContinueSkipsAndCounts() throws {
        let driver = try driver { $0.defaultDeserializationExceptionHandler = .logAndContinue }
        let input = driver.createInputTopic("numbers", key: .string, value: .int64)
        let output = driver.createOutputTopic("out", key: .string, value: .int64)
        try input.pipeInput(key: "a", value: 1, timestamp: 0)
        try input.pipeRawInput(key: Array("bad".utf8), value: poisonPill, timestamp: 0)
        try input.pipeRawInput(key: Array("null".utf8), value: nil, timestamp: 0)
        try input.pipeInput(key: "b", value: 2, timestamp: 0)
        #expect(output.readKeyValuesToList() == [kv("a", 2), kv("b", 4)])
        #expect(driver.droppedRecordsCount == 2)
    }

    @Test func deadLetterQueueGetsTheRawRecord() throws {
        let driver = try driver { $0.defaultDeserializationExceptionHandler = .deadLetterQueue(topic: "numbers-dlq") }
        let input = driver.createInputTopic("numbers", key: .string, value: .int64)
        let output = driver.createOutputTopic("out", key: .string, value: .int64)
        let dlq = driver.createOutputTopic("numbers-dlq", key: .optional(.bytes), value: .optional(.bytes))
        try input.pipeInput(key: "a", value: 1, timestamp: 0)
        try input.pipeRawInput(key: Array("bad".utf8), value: poisonPill, timestamp: 42)
        try input.pipeInput(key: "b", value: 2, timestamp: 0)
        #expect(output.readValuesToList() == [2, 4])
        let dead = try #require(dlq.readRecordsToList().first)
        #expect(dead.key == Array("bad".utf8))
        #expect(dead.value == poisonPill)
        #expect(dead.timestamp == 42)
        func header(_ name: String) -> String? {
            dead.headers.last(name)?.value.map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(header("__streams.errors.topic") == "numbers")
        #expect(header("__streams.errors.partition") == "0")
        #expect(header("__streams.errors.offset") == "1")
        #expect(header("__streams.errors.message")?.contains("int64") == true)
        #expect(dlq.isEmpty)
        #expect(driver.droppedRecordsCount == 1)
    }

    @Test func customHandlerSeesTheRecord() throws {
        let seen = Collected<String>()
        let driver = try driver { config in
            config.defaultDeserializationExceptionHandler = DeserializationExceptionHandler { context, error in
                let metadata = context.recordMetadata.map { "\($0.topic)-\($0.partition)@\($0.offset)" } ?? "?"
                seen.append("\(metadata) task \(context.taskID) key \(context.rawKey ?? []) \(error.kind)")
                return .continue
            }
        }
        let input = driver.createInputTopic("numbers", key: .string, value: .int64)
        try input.pipeRawInput(key: [7], value: [1, 2], timestamp: 0)
        #expect(seen.values == ["numbers-0@0 task 0_0 key [7] wrongSize(expected: 8, actual: 2)"])
    }

    @Test func keyDeserializationErrorsGoToTheHandlerToo() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .uuid, value: .string))
            .to("out", produced: .with(key: .uuid, value: .string))
        var config = TopologyTestDriver.defaultConfig
        config.defaultDeserializationExceptionHandler = .logAndContinue
        let driver = try TopologyTestDriver(topology: builder.build(), config: config)
        let input = driver.createInputTopic("in", key: .string, value: .string)
        try input.pipeInput(key: "not-a-uuid", value: "v", timestamp: 0)
        #expect(driver.droppedRecordsCount == 1)
        #expect(driver.createOutputTopic("out", key: .string, value: .string).isEmpty)
    }

    @Test func tableSourcePoisonPill() throws {
        let builder = StreamsBuilder()
        _ = builder.table("t", consumed: .with(key: .string, value: .int64), materialized: .as("t"))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("t", key: .string, value: .string)
        #expect(throws: StreamsError.self) { try input.pipeInput(key: "k", value: "abc", timestamp: 0) }
        // A null value is no error for a table: it is a delete.
        try input.pipeRawInput(key: Array("k".utf8), value: nil, timestamp: 0)
    }
}

@Suite struct ProcessingHandlerTests {
    /// `in -> map (throws on "boom") -> out`.
    private func driver(
        named: String? = nil, _ configure: (inout StreamsConfig) -> Void = { _ in }
    ) throws -> TopologyTestDriver {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .mapValues(named: named.map { Named($0) }) { value -> String in
                if value == "boom" { throw Boom(reason: "bad value") }
                return value.uppercased()
            }
            .to("out", produced: .with(key: .string, value: .string))
        var config = TopologyTestDriver.defaultConfig
        configure(&config)
        return try TopologyTestDriver(topology: builder.build(), config: config)
    }

    @Test func defaultHandlerFailsNamingTheNode() throws {
        let driver = try driver()
        let input = driver.createInputTopic("in", key: .string, value: .string)
        #expect {
            try input.pipeInput(key: "k", value: "boom", timestamp: 0)
        } throws: { error in
            guard case .processing(let node, let taskID, let message) = error as? StreamsError else { return false }
            return node == "KSTREAM-MAPVALUES-0000000001" && taskID == "0_0" && message.contains("bad value")
        }
    }

    @Test func namedNodeIsNamedInTheError() throws {
        let driver = try driver(named: "shout")
        let input = driver.createInputTopic("in", key: .string, value: .string)
        #expect {
            try input.pipeInput(key: "k", value: "boom", timestamp: 0)
        } throws: { error in
            guard case .processing(let node, _, _) = error as? StreamsError else { return false }
            return node == "shout"
        }
    }

    @Test func logAndContinueSkipsTheRecord() throws {
        let driver = try driver { $0.processingExceptionHandler = .logAndContinue }
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .string, value: .string)
        try input.pipeInput(key: "k", value: "a", timestamp: 0)
        try input.pipeInput(key: "k", value: "boom", timestamp: 0)
        try input.pipeInput(key: "k", value: "b", timestamp: 0)
        #expect(output.readValuesToList() == ["A", "B"])
        #expect(driver.droppedRecordsCount == 1)
    }

    @Test func deadLetterQueueGetsTheInputRecord() throws {
        let driver = try driver { $0.processingExceptionHandler = .deadLetterQueue(topic: "dlq") }
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let dlq = driver.createOutputTopic("dlq", key: .string, value: .string)
        try input.pipeInput(key: "k", value: "boom", timestamp: 3)
        let dead = try #require(try dlq.readRecord())
        #expect(dead.key == "k")
        #expect(dead.value == "boom")
        #expect(dead.headers.last("__streams.errors.exception")?.value.map { String(decoding: $0, as: UTF8.self) } == "Boom")
    }

    @Test func handlerSeesTheFailingNode() throws {
        let seen = Collected<String>()
        let driver = try driver(named: "shout") { config in
            config.processingExceptionHandler = ProcessingExceptionHandler { context, error in
                seen.append("\(context.processorNode ?? "?") \(error)")
                return .continue
            }
        }
        try driver.createInputTopic("in", key: .string, value: .string).pipeInput(key: "k", value: "boom", timestamp: 0)
        #expect(seen.values == ["shout Boom(bad value)"])
    }

    @Test func throwingAggregatorIsNamed() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .int64))
            .groupByKey()
            .reduce(named: "sum", materialized: .as("sums")) { a, b in
                if b < 0 { throw Boom() }
                return a + b
            }
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .int64)
        try input.pipeInput(key: "k", value: 1, timestamp: 0)
        #expect {
            try input.pipeInput(key: "k", value: -1, timestamp: 0)
        } throws: { error in
            guard case .processing(let node, _, _) = error as? StreamsError else { return false }
            return node == "sum"
        }
        #expect(try driver.keyValueStore("sums", key: .string, value: .int64).get("k") == 1)
    }

    @Test func failureAfterARepartitionNamesTheDownstreamNode() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .selectKey { _, value in value }
            .repartition(.as("r"))
            .filter(named: "picky") { _, value in
                if value.isEmpty { throw Boom() }
                return true
            }
            .to("out", produced: .with(key: .string, value: .string))
        let driver = try TopologyTestDriver(topology: builder.build())
        #expect {
            try driver.createInputTopic("in", key: .string, value: .string).pipeInput(key: "k", value: "", timestamp: 0)
        } throws: { error in
            guard case .processing(let node, let taskID, _) = error as? StreamsError else { return false }
            return node == "picky" && taskID == "1_0"
        }
    }

    @Test func failureInAPunctuationForwardNamesTheFailingNode() throws {
        struct Emitter: Processor {
            init(context: ProcessorContext<String, String>) throws {
                try context.schedule(interval: .seconds(1), type: .wallClockTime) { time in
                    try context.forward(Record(key: "k", value: "boom", timestamp: time))
                }
            }
            func process(_ record: Record<String, String>) throws {}
        }
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .process(Emitter.self, named: "emitter")
            .mapValues(named: "explode") { value -> String in throw Boom(reason: value) }
            .to("out", produced: .with(key: .string, value: .string))
        let driver = try TopologyTestDriver(topology: builder.build())
        try driver.createInputTopic("in", key: .string, value: .string).pipeInput(key: "k", value: "v", timestamp: 0)
        #expect {
            try driver.advanceWallClockTime(by: .seconds(1))
        } throws: { error in
            guard case .processing(let node, _, let message) = error as? StreamsError else { return false }
            return node == "explode" && message.contains("boom")
        }
    }
}
