import RdKafka
import Testing

@Suite("MockCluster")
struct MockClusterTests {
    @Test("creates topics with partition counts, reports existing ones, and stops idempotently")
    func topics() throws {
        let cluster = try MockCluster(brokers: 3, logger: testLogger)
        #expect(cluster.brokerCount == 3)
        #expect(cluster.bootstrapServers.split(separator: ",").count == 3)
        let topic = uniqueName("created")
        try cluster.createTopic(topic, partitions: 7)
        #expect {
            try cluster.createTopic(topic, partitions: 7)
        } throws: { error in
            (error as? KafkaError)?.errorCode == .topicAlreadyExists
        }
        do {
            let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers), logger: testLogger)
            #expect(try producer.partitionCount(topic: topic, timeout: .seconds(10)) == 7)
            // Unknown topics are auto-created with 4 partitions.
            #expect(try producer.partitionCount(topic: uniqueName("auto"), timeout: .seconds(10)) == 4)
            let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers), logger: testLogger)
            let described = try admin.describeTopics([topic], timeout: .seconds(10))
            #expect(described.first?.partitions.count == 7)
            #expect {
                try admin.describeTopics([uniqueName("missing")], timeout: .seconds(10))
            } throws: { error in
                (error as? KafkaError)?.errorCode == .unknownTopicOrPartition
            }
        }
        cluster.stop()
        cluster.stop()
        #expect(cluster.isStopped)
        #expect(throws: KafkaError.self) { try cluster.createTopic("late", partitions: 1) }
    }

    @Test("rejects a broker count out of range")
    func invalidBrokerCount() {
        #expect(throws: KafkaError.self) { _ = try MockCluster(brokers: 0, logger: testLogger) }
    }

    @Test("each partition keeps only about 5 MiB: older batches are deleted and the low watermark moves")
    func partitionLogLimit() throws {
        let cluster = try MockCluster(logger: testLogger)
        defer { cluster.stop() }
        let topic = uniqueName("limit")
        try cluster.createTopic(topic, partitions: 1)
        // 8 MiB in 100 KiB records, uncompressed: over the limit.
        let value = [UInt8](repeating: 0x61, count: 100 * 1024)
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers), logger: testLogger)
        for _ in 0..<82 {
            try producer.produce(topic: topic, partition: 0, key: nil, value: value)
        }
        try producer.flush(timeout: .seconds(30))
        let consumer = try KafkaConsumer(configuration: consumerConfiguration(bootstrapServers: cluster.bootstrapServers, group: uniqueName("g")), logger: testLogger)
        defer { consumer.close() }
        let (low, high) = try consumer.watermarkOffsets(topic: topic, partition: 0, timeout: .seconds(10))
        #expect(high == 82)
        #expect(low > 0, "the mock dropped the oldest batches")
    }

    @Test("admin calls the mock does not support fail in bounded time, and the client is still released")
    func unsupportedAdmin() throws {
        let cluster = try MockCluster(logger: testLogger)
        defer { cluster.stop() }
        let topic = uniqueName("admin")
        let group = uniqueName("group")
        try cluster.createTopic(topic, partitions: 1)
        let consumer = try KafkaConsumer(configuration: consumerConfiguration(bootstrapServers: cluster.bootstrapServers, group: group), logger: testLogger)
        defer { consumer.close() }
        try consumer.subscribe(topics: [topic])
        try eventually("an assignment") {
            _ = try consumer.poll(timeout: .milliseconds(100))
            return try consumer.assignment().count == 1
        }
        do {
            // Scoped so that the admin client is destroyed here: with librdkafka 2.0.2's
            // DescribeConsumerGroups on the mock, destroying it would hang.
            let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers), logger: testLogger)
            #expect {
                try admin.describeConsumerGroups([group], timeout: .seconds(5))
            } throws: { error in
                (error as? KafkaError)?.errorCode == .unsupportedFeature && "\(error)".contains(group)
            }
            #expect {
                try admin.createTopics([NewTopic(name: uniqueName("created"), partitions: 1, replicationFactor: 1)], timeout: .seconds(2))
            } throws: { error in
                (error as? KafkaError)?.errorCode == .timedOut
            }
        }
    }

    @Test("a broker taken down and brought back")
    func brokerDownUp() throws {
        let cluster = try MockCluster(logger: testLogger)
        defer { cluster.stop() }
        try cluster.setBrokerDown(1)
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers), logger: testLogger)
        #expect(throws: KafkaError.self) { try admin.metadata(timeout: .seconds(1)) }
        try cluster.setBrokerUp(1)
        try eventually("metadata once the broker is back") {
            (try? admin.metadata(timeout: .seconds(1))) != nil
        }
    }
}
