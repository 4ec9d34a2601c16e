import RdKafka
import Testing

@Suite("Transactions on the mock cluster")
struct TransactionTests {
    @Test("transactional calls return OK and records produced in a transaction are consumable")
    func transactionalProduce() throws {
        let cluster = try MockCluster(logger: testLogger)
        defer { cluster.stop() }
        let topic = uniqueName("txn")
        try cluster.createTopic(topic, partitions: 1)

        let reports = DeliveryReports()
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers, ["transactional.id": uniqueName("tx")]),
            logger: testLogger,
            deliveryReportHandler: reports.handler
        )
        try producer.initTransactions(timeout: .seconds(10))
        try producer.beginTransaction()
        for index in 0..<3 {
            try producer.produce(topic: topic, partition: 0, key: nil, value: bytes("t\(index)"), tag: UInt64(index))
        }
        // Offsets are not stored by the mock, but the call must succeed.
        let groupMetadata = try ConsumerGroupMetadata(groupID: uniqueName("g"))
        try producer.sendOffsetsToTransaction(
            [TopicPartitionOffset(topic: topic, partition: 0, offset: 0)], groupMetadata: groupMetadata, timeout: .seconds(10)
        )
        try producer.commitTransaction(timeout: .seconds(10))
        #expect(reports.all.count == 3, "commit flushes and serves delivery reports")
        #expect(reports.all.allSatisfy { $0.error == nil })

        try producer.beginTransaction()
        try producer.produce(topic: topic, partition: 0, key: nil, value: bytes("aborted"))
        try producer.abortTransaction(timeout: .seconds(10))

        let consumer = try consumerFromBeginning(
            bootstrapServers: cluster.bootstrapServers, topic: topic, ["isolation.level": "read_committed"])
        defer { consumer.close() }
        let records = try consume(consumer, count: 3)
        #expect(records.map(\.value) == [bytes("t0"), bytes("t1"), bytes("t2")])
    }

    @Test("transactional calls on a non-transactional producer throw typed errors")
    func notTransactional() throws {
        let producer = try KafkaProducer(configuration: ["bootstrap.servers": "127.0.0.1:1"], logger: testLogger)
        #expect {
            try producer.beginTransaction()
        } throws: { error in
            guard let error = error as? KafkaError else { return false }
            return error.errorCode == .notConfigured && error.message.contains("begin transaction")
        }
    }
}
