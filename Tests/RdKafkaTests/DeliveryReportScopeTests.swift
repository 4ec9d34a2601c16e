import RdKafka
import Synchronization
import Testing

@Suite struct DeliveryReportScopeTests {
    @Test func failuresAndTaggedSkipsUntaggedSuccesses() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("scoped", partitions: 1)
        let tags = Mutex<[UInt64]>([])
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers),
            deliveryReportHandler: { report in tags.withLock { $0.append(report.tag) } },
            deliveryReports: .failuresAndTagged)
        for tag: UInt64 in [0, 7, 0, 9, 0] {
            try producer.produce(topic: "scoped", key: bytes("k"), value: bytes("v"), tag: tag)
        }
        try producer.flush(timeout: .seconds(30))
        #expect(tags.withLock { $0 } == [7, 9])
    }

    @Test func failuresAreReportedEvenUntagged() throws {
        let tags = Mutex<[(UInt64, Bool)]>([])
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(bootstrapServers: "127.0.0.1:1", ["message.timeout.ms": "500"]),
            deliveryReportHandler: { report in tags.withLock { $0.append((report.tag, report.error != nil)) } },
            deliveryReports: .failuresAndTagged)
        try producer.produce(topic: "nowhere", key: nil, value: bytes("v"))
        _ = try? producer.flush(timeout: .seconds(10))
        let reported = tags.withLock { $0 }
        #expect(reported.count == 1)
        #expect(reported.first?.0 == 0 && reported.first?.1 == true)
    }
}
