import Foundation
import RdKafka
import Testing

/// Tests against a real Kafka-compatible broker (Tansu in this project, see scripts/broker), at
/// the address in `KAFKA_BOOTSTRAP_SERVERS`. They cover what the mock cluster cannot: admin topic
/// creation, transactional offset commits and fencing.
@Suite(
    "External broker",
    .enabled(if: ProcessInfo.processInfo.environment["KAFKA_BOOTSTRAP_SERVERS"] != nil, "KAFKA_BOOTSTRAP_SERVERS is not set: start one with scripts/broker"),
    .serialized
)
struct ExternalBrokerTests {
    let bootstrapServers = ProcessInfo.processInfo.environment["KAFKA_BOOTSTRAP_SERVERS"] ?? ""

    func makeAdmin() throws -> KafkaAdmin {
        try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: bootstrapServers), logger: testLogger)
    }

    func createTopic(_ name: String, partitions: Int32, configs: [String: String] = [:]) throws {
        try makeAdmin().createTopics(
            [NewTopic(name: name, partitions: partitions, replicationFactor: 1, configs: configs)], timeout: .seconds(30)
        )
    }

    @Test("admin creates a compacted topic, metadata shows its partitions, then deletes it")
    func createCompactedTopic() throws {
        print("librdkafka at run time: \(LibRdKafka.version)")
        let admin = try makeAdmin()
        let topic = uniqueName("compacted")
        try admin.createTopics([NewTopic(name: topic, partitions: 3, replicationFactor: 1, configs: ["cleanup.policy": "compact"])], timeout: .seconds(30))
        var described: [ClusterMetadata.Topic] = []
        try eventually("the topic in metadata") {
            described = (try? admin.describeTopics([topic], timeout: .seconds(5))) ?? []
            return described.first?.partitions.count == 3
        }
        #expect(described.first?.partitions.map(\.id) == [0, 1, 2])
        #expect(described.first?.partitions.allSatisfy { $0.leader >= 0 } == true)

        #expect {
            try admin.createTopics([NewTopic(name: topic, partitions: 3, replicationFactor: 1)], timeout: .seconds(30))
        } throws: { error in
            (error as? KafkaError)?.errorCode == .topicAlreadyExists && "\(error)".contains(topic)
        }

        try admin.deleteTopics([topic], timeout: .seconds(30))
        try eventually("the topic gone from metadata") {
            let metadata = try admin.metadata(timeout: .seconds(5))
            return metadata.topic(named: topic) == nil
        }
    }

    @Test("a transaction with sendOffsetsToTransaction commits the group's offsets")
    func transactionalOffsets() throws {
        let input = uniqueName("in")
        let output = uniqueName("out")
        let group = uniqueName("group")
        try createTopic(input, partitions: 1)
        try createTopic(output, partitions: 1)
        try produceAndFlush(bootstrapServers, topic: input, values: ["a", "b", "c"])

        let consumer = try KafkaConsumer(configuration: consumerConfiguration(bootstrapServers: bootstrapServers, group: group), logger: testLogger)
        defer { consumer.close() }
        let events = RebalanceEvents()
        try consumer.subscribe(topics: [input], rebalanceHandler: events.handler)
        let records = try consume(consumer, count: 3, timeout: .seconds(60))
        #expect(events.all.contains { $0.kind == .assigned })

        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(bootstrapServers: bootstrapServers, ["transactional.id": uniqueName("tx")]),
            logger: testLogger
        )
        try producer.initTransactions(timeout: .seconds(30))
        try producer.beginTransaction()
        for record in records {
            try producer.produce(topic: output, partition: 0, key: record.key, value: record.value.map { $0 + bytes("!") })
        }
        let partition = TopicPartition(topic: input, partition: 0)
        try producer.sendOffsetsToTransaction(
            [TopicPartitionOffset(partition, offset: 3)], groupMetadata: try consumer.groupMetadata(), timeout: .seconds(30)
        )
        try producer.commitTransaction(timeout: .seconds(30))

        try eventually("the transactional offset commit visible to the group") {
            try consumer.committed([partition], timeout: .seconds(5)) == [TopicPartitionOffset(partition, offset: 3)]
        }
        let reader = try KafkaConsumer(configuration: consumerConfiguration(bootstrapServers: bootstrapServers, group: uniqueName("reader")), logger: testLogger)
        defer { reader.close() }
        try reader.assign([TopicPartitionOffset(topic: output, partition: 0, offset: KafkaOffset.beginning)])
        let written = try consume(reader, count: 3, timeout: .seconds(60))
        #expect(written.map(\.value) == [bytes("a!"), bytes("b!"), bytes("c!")])
    }

    @Test("an aborted transaction completes and the producer can go on")
    func abortedTransaction() throws {
        let topic = uniqueName("abort")
        try createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(bootstrapServers: bootstrapServers, ["transactional.id": uniqueName("tx")]),
            logger: testLogger
        )
        try producer.initTransactions(timeout: .seconds(30))
        try producer.beginTransaction()
        try producer.produce(topic: topic, partition: 0, key: nil, value: bytes("aborted"))
        try producer.abortTransaction(timeout: .seconds(30))
        // Not asserted: that read_committed consumers skip the aborted record (Tansu does not filter).
        try producer.beginTransaction()
        try producer.produce(topic: topic, partition: 0, key: nil, value: bytes("committed"))
        try producer.commitTransaction(timeout: .seconds(30))
        #expect(producer.outQueueLength == 0)
    }

    @Test("an older producer with the same transactional.id is fenced by a newer one")
    func fencing() throws {
        let topic = uniqueName("fence")
        try createTopic(topic, partitions: 1)
        let configuration = KafkaConfiguration(bootstrapServers: bootstrapServers, ["transactional.id": uniqueName("tx")])
        let older = try KafkaProducer(configuration: configuration, logger: testLogger)
        try older.initTransactions(timeout: .seconds(30))
        try older.beginTransaction()
        try older.produce(topic: topic, partition: 0, key: nil, value: bytes("from the older producer"))
        try older.flush(timeout: .seconds(30))

        let newer = try KafkaProducer(configuration: configuration, logger: testLogger)
        try newer.initTransactions(timeout: .seconds(30))

        var fencedError: KafkaError?
        do {
            try older.produce(topic: topic, partition: 0, key: nil, value: bytes("after fencing"))
            try older.commitTransaction(timeout: .seconds(30))
        } catch {
            fencedError = error
        }
        let error = try #require(fencedError, "the older producer's commit must fail")
        #expect(error.isFatal || error.isFenced, "\(error)")
        #expect(older.fatalError == nil || older.fatalError?.isFenced == true)

        try newer.beginTransaction()
        try newer.produce(topic: topic, partition: 0, key: nil, value: bytes("from the newer producer"))
        try newer.commitTransaction(timeout: .seconds(30))
    }

    @Test("describe a consumer group (state; members and assignments where the broker reports them)")
    func describeGroup() throws {
        let topic = uniqueName("described")
        let group = uniqueName("group")
        try createTopic(topic, partitions: 2)
        let consumer = try KafkaConsumer(configuration: consumerConfiguration(bootstrapServers: bootstrapServers, group: group), logger: testLogger)
        defer { consumer.close() }
        try consumer.subscribe(topics: [topic])
        try eventually("an assignment", timeout: .seconds(60)) {
            _ = try consumer.poll(timeout: .milliseconds(100))
            return try consumer.assignment().count == 2
        }
        let admin = try makeAdmin()
        let descriptions = try admin.describeConsumerGroups([group], timeout: .seconds(30))
        let description = try #require(descriptions.first)
        #expect(description.groupID == group)
        #expect(description.state == .stable)
        // Tansu 0.6 answers DescribeGroups without members; a Kafka broker lists the one member.
        if let member = description.members.first {
            #expect(description.members.count == 1)
            #expect(Set(member.assignment) == Set(try consumer.assignment()))
        }
    }
}
