import RdKafka
import Testing

/// Nothing listens on port 1: every client must fail within its timeout, never hang.
@Suite("Unreachable bootstrap servers give bounded-time errors")
struct UnreachableBrokerTests {
    static let unreachable = "127.0.0.1:1"
    let clock = ContinuousClock()

    @Test("producer flush times out")
    func producerFlush() throws {
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: Self.unreachable), logger: testLogger)
        try producer.produce(topic: "unreachable", key: nil, value: bytes("x"))
        let start = clock.now
        #expect {
            try producer.flush(timeout: .seconds(1))
        } throws: { error in
            (error as? KafkaError)?.errorCode == .timedOut
        }
        #expect(start.duration(to: clock.now) < .seconds(5))
        #expect(producer.outQueueLength == 1)
    }

    @Test("messages fail with messageTimedOut after message.timeout.ms, and global errors are observable")
    func messageTimeout() throws {
        let reports = DeliveryReports()
        let errors = ErrorCollector()
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(bootstrapServers: Self.unreachable, ["message.timeout.ms": "1000"]),
            logger: testLogger,
            errorHandler: errors.handler,
            deliveryReportHandler: reports.handler
        )
        try producer.produce(topic: "unreachable", key: nil, value: bytes("x"), tag: 99)
        let start = clock.now
        try producer.flush(timeout: .seconds(10))  // the queue drains: the message failed
        #expect(start.duration(to: clock.now) < .seconds(8))
        let report = try #require(reports.all.first)
        #expect(report.tag == 99)
        #expect(report.error?.errorCode == .messageTimedOut)
        #expect(report.offset == KafkaOffset.invalid)
        try eventually("a global error such as transport failure or all brokers down", timeout: .seconds(10)) {
            producer.poll(timeout: .milliseconds(100))
            return producer.lastError != nil
        }
        #expect(!errors.all.isEmpty)
        #expect(errors.all.contains { $0.errorCode == .transport || $0.errorCode == .allBrokersDown })
    }

    @Test("consumer metadata and committed offsets fail within their timeout")
    func consumerCalls() throws {
        let consumer = try KafkaConsumer(
            configuration: consumerConfiguration(bootstrapServers: Self.unreachable, group: uniqueName("g")),
            logger: testLogger
        )
        defer { consumer.close() }
        var start = clock.now
        #expect(throws: KafkaError.self) { try consumer.metadata(timeout: .seconds(1)) }
        #expect(start.duration(to: clock.now) < .seconds(5))
        start = clock.now
        #expect(throws: KafkaError.self) {
            try consumer.committed([TopicPartition(topic: "t", partition: 0)], timeout: .seconds(1))
        }
        #expect(start.duration(to: clock.now) < .seconds(5))
        start = clock.now
        #expect(throws: KafkaError.self) {
            try consumer.watermarkOffsets(topic: "t", partition: 0, timeout: .seconds(1))
        }
        #expect(start.duration(to: clock.now) < .seconds(5))
    }

    @Test("admin metadata and topic creation fail within their timeout")
    func adminCalls() throws {
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: Self.unreachable), logger: testLogger)
        var start = clock.now
        #expect(throws: KafkaError.self) { try admin.metadata(timeout: .seconds(1)) }
        #expect(start.duration(to: clock.now) < .seconds(5))
        start = clock.now
        #expect {
            try admin.createTopics([NewTopic(name: "t", partitions: 1)], timeout: .seconds(1))
        } throws: { error in
            (error as? KafkaError)?.errorCode == .timedOut
        }
        #expect(start.duration(to: clock.now) < .seconds(5))
        start = clock.now
        #expect(throws: KafkaError.self) { try admin.describeConsumerGroups(["g"], timeout: .seconds(1)) }
        #expect(start.duration(to: clock.now) < .seconds(5))
    }
}
