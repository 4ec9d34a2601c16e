import Foundation
import KafkaStreams
import KafkaStreamsTesting
import RdKafka
import Testing

/// Bad input, bad config and unreachable brokers, on the embedded broker.
@Suite(.serialized) struct ErrorHandlingTests {
    /// `in` (String -> Int64) doubled into `out`.
    static func doublingTopology() throws -> Topology {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .int64))
            .mapValues { $0 * 2 }
            .to("out", produced: .with(key: .string, value: .int64))
        return try builder.build()
    }

    static func cluster() throws -> EmbeddedKafkaCluster {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("in", partitions: 1)
        try cluster.createTopic("out", partitions: 1)
        try cluster.createTopic("dead-letters", partitions: 1)
        return cluster
    }

    /// Writes a valid record, a poison pill (3 bytes where 8 are needed), and another valid record.
    static func producePoisonPillBetweenValidRecords(_ cluster: EmbeddedKafkaCluster) throws {
        try cluster.produce("in", [("a", Int64(1))], key: .string, value: .int64)
        try cluster.produce("in", [("bad", [UInt8]([1, 2, 3]))], key: .string, value: .bytes)
        try cluster.produce("in", [("b", Int64(2))], key: .string, value: .int64)
    }

    @Test func poisonPillStopsTheApplicationByDefault() async throws {
        let cluster = try Self.cluster()
        let streams = try KafkaStreams(
            topology: Self.doublingTopology(), config: cluster.streamsConfig(applicationID: "poison-fail"),
            topicCreator: cluster.topicCreator)
        try streams.start()
        defer { streams.close() }
        try Self.producePoisonPillBetweenValidRecords(cluster)
        try await waitUntil(timeout: .seconds(60), "application in error") { streams.state == .error }
        guard case StreamsError.deserialization(let topic, _, let offset, _)? = streams.lastError as? StreamsError else {
            Issue.record("expected a deserialization error, got \(String(describing: streams.lastError))")
            return
        }
        #expect(topic == "in")
        #expect(offset == 1)
        // The record before the poison pill was processed; nothing after it.
        let out = try cluster.readRecords("out", key: .string, value: .int64, count: 1, timeout: .seconds(10))
        #expect(out.map(\.value) == [2])
    }

    /// A producer whose local queue holds one message is full at nearly every send: the runtime
    /// serves delivery reports and retries (`StreamsProducer.produceAfterFailure`), and loses
    /// nothing.
    @Test func aFullProducerQueueIsWaitedOutWithoutLoss() async throws {
        let cluster = try Self.cluster()
        var config = cluster.streamsConfig(applicationID: "full-queue")
        config.producerProperties["queue.buffering.max.messages"] = "1"
        let streams = try KafkaStreams(
            topology: Self.doublingTopology(), config: config, topicCreator: cluster.topicCreator)
        try streams.start()
        defer { streams.close() }
        let input = (0..<200).map { ("key-\($0)", Int64($0)) }
        try cluster.produce("in", input, key: .string, value: .int64)
        let out = try cluster.readRecords("out", key: .string, value: .int64, count: 200, timeout: .seconds(60))
        #expect(out.map(\.key) == input.map(\.0))
        #expect(out.map(\.value) == input.map { $0.1 * 2 })
        #expect(streams.state == .running, "no production error: \(String(describing: streams.lastError))")
    }

    @Test func poisonPillIsSkippedWithLogAndContinue() async throws {
        let cluster = try Self.cluster()
        var config = cluster.streamsConfig(applicationID: "poison-continue")
        config.defaultDeserializationExceptionHandler = .logAndContinue
        let streams = try KafkaStreams(
            topology: Self.doublingTopology(), config: config, topicCreator: cluster.topicCreator)
        try streams.start()
        defer { streams.close() }
        try Self.producePoisonPillBetweenValidRecords(cluster)
        let out = try cluster.readRecords("out", key: .string, value: .int64, count: 2, timeout: .seconds(60))
        #expect(out.map { KeyValue($0.key, $0.value) } == [KeyValue("a", 2), KeyValue("b", 4)])
        #expect(streams.state == .running || streams.state == .rebalancing)
    }

    @Test func poisonPillGoesToTheDeadLetterTopic() async throws {
        let cluster = try Self.cluster()
        var config = cluster.streamsConfig(applicationID: "poison-dlq")
        config.defaultDeserializationExceptionHandler = .deadLetterQueue(topic: "dead-letters")
        let streams = try KafkaStreams(
            topology: Self.doublingTopology(), config: config, topicCreator: cluster.topicCreator)
        try streams.start()
        defer { streams.close() }
        try Self.producePoisonPillBetweenValidRecords(cluster)
        let dead = try cluster.readRecords("dead-letters", key: .string, value: .bytes, count: 1, timeout: .seconds(60))
        try #require(dead.count == 1)
        #expect(dead[0].key == "bad")
        #expect(dead[0].value == [1, 2, 3])
        #expect(dead[0].headers.last("__streams.errors.topic")?.value == Array("in".utf8))
        #expect(dead[0].headers.last("__streams.errors.offset")?.value == Array("1".utf8))
        let out = try cluster.readRecords("out", key: .string, value: .int64, count: 2, timeout: .seconds(60))
        #expect(out.map(\.value) == [2, 4])
    }

    @Test func failingProcessorStopsTheApplicationNamingTheNode() async throws {
        let cluster = try Self.cluster()
        let builder = StreamsBuilder()
        struct Boom: Error {}
        builder.stream("in", consumed: .with(key: .string, value: .int64))
            .mapValues(named: "explode") { value -> Int64 in
                if value < 0 { throw Boom() }
                return value
            }
            .to("out", produced: .with(key: .string, value: .int64))
        let streams = try KafkaStreams(
            topology: builder.build(), config: cluster.streamsConfig(applicationID: "processing-fail"),
            topicCreator: cluster.topicCreator)
        try streams.start()
        defer { streams.close() }
        try cluster.produce("in", [("a", Int64(-1))], key: .string, value: .int64)
        try await waitUntil(timeout: .seconds(60), "application in error") { streams.state == .error }
        guard case StreamsError.processing(let node, _, _)? = streams.lastError as? StreamsError else {
            Issue.record("expected a processing error, got \(String(describing: streams.lastError))")
            return
        }
        #expect(node == "explode")
    }

    @Test func invalidSettingsAreNamed() throws {
        var config = StreamsConfig(applicationID: "bad config", bootstrapServers: "localhost:9092")
        #expect(throws: StreamsConfigError.self) { try KafkaStreams(topology: Self.doublingTopology(), config: config) }
        do {
            _ = try KafkaStreams(topology: Self.doublingTopology(), config: config)
        } catch let error as StreamsConfigError {
            #expect(error.setting == "applicationID")
        }
        config = StreamsConfig(applicationID: "ok", bootstrapServers: "localhost:9092")
        config.numStreamThreads = 0
        do {
            _ = try KafkaStreams(topology: Self.doublingTopology(), config: config)
            Issue.record("numStreamThreads = 0 was accepted")
        } catch let error as StreamsConfigError {
            #expect(error.setting == "numStreamThreads")
        }
    }

    @Test func unknownLibrdkafkaPropertyIsNamedAtStart() throws {
        let cluster = try Self.cluster()
        var config = cluster.streamsConfig(applicationID: "bad-property")
        config.kafkaProperties["no.such.property"] = "1"
        let streams = try KafkaStreams(topology: Self.doublingTopology(), config: config, topicCreator: cluster.topicCreator)
        do {
            try streams.start()
            Issue.record("an unknown librdkafka property was accepted")
        } catch let error as StreamsConfigError {
            #expect(error.message.contains("no.such.property"))
        }
    }

    @Test func unreachableBrokerFailsStartWithinBoundedTime() throws {
        let config = StreamsConfig(applicationID: "unreachable", bootstrapServers: "127.0.0.1:1")
        let streams = try KafkaStreams(topology: Self.doublingTopology(), config: config)
        let started = ContinuousClock.now
        #expect {
            try streams.start()
        } throws: { error in
            guard case StreamsError.brokerUnavailable = error else { return false }
            return true
        }
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(streams.state == .created)
    }

    @Test func closeWhileProcessingLosesNothing() async throws {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("text-lines", partitions: 2)
        try cluster.createTopic("word-counts", partitions: 2)
        let config = cluster.streamsConfig(applicationID: "close-mid-stream")
        let lines = (0..<400).map { "word\($0 % 7) shared line \($0 % 3)" }
        try cluster.produce("text-lines", lines.map { (String?.none, $0) }, key: .optional(.string), value: .string)

        let first = try KafkaStreams(
            topology: WordCountIntegrationTests.wordCountTopology(storeType: .inMemory), config: config,
            topicCreator: cluster.topicCreator)
        try first.start()
        // Close as soon as some output exists, while records are still being processed.
        _ = try cluster.readRecords("word-counts", key: .string, value: .int64, count: 1, timeout: .seconds(60))
        #expect(first.close(timeout: .seconds(30)))

        let second = try KafkaStreams(
            topology: WordCountIntegrationTests.wordCountTopology(storeType: .inMemory), config: config,
            topicCreator: cluster.topicCreator)
        try second.start()
        defer { second.close() }
        try cluster.waitUntilConsumed(groupID: "close-mid-stream", topics: ["text-lines", "close-mid-stream-counts-repartition"])
        second.pause()
        try await waitUntil(timeout: .seconds(90), "running after pause") { second.state == .running }
        let store = try second.store(.keyValue(name: "counts", key: .string, value: .int64))
        let counts = Dictionary(uniqueKeysWithValues: try store.all().map { ($0.key, $0.value) })
        #expect(counts == WordCountIntegrationTests.expectedCounts(lines))
    }
}

extension ErrorHandlingTests {
    @Test func exactlyOnceRejectsANonPositiveUncommittedBudget() throws {
        var config = StreamsConfig(applicationID: "eos", bootstrapServers: "127.0.0.1:1")
        config.processingGuarantee = .exactlyOnceV2
        config.stateStoreUncommittedMaxBytes = 0
        #expect(throws: StreamsConfigError(setting: "stateStoreUncommittedMaxBytes", message: "must be positive, got 0")) {
            try config.validate()
        }
        #expect(throws: StreamsConfigError.self) {
            _ = try KafkaStreams(topology: Self.doublingTopology(), config: config)
        }
    }
}
