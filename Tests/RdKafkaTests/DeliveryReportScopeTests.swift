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

    @Test func taggedSuccessesGoToTheOffsetHandlerAndFailuresToTheReportHandler() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("offsets", partitions: 2)
        let offsets = Mutex<[(tag: UInt64, partition: Int32, offset: Int64)]>([])
        let reports = Mutex<[UInt64]>([])
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers),
            deliveryReportHandler: { report in reports.withLock { $0.append(report.tag) } },
            deliveryReports: .failuresAndTagged,
            taggedOffsets: { tag, partition, offset in offsets.withLock { $0.append((tag, partition, offset)) } })
        for (tag, partition): (UInt64, Int32) in [(3, 0), (0, 0), (4, 1), (5, 0)] {
            try producer.produce(topic: "offsets", partition: partition, key: bytes("k"), value: bytes("v"), tag: tag)
        }
        try producer.flush(timeout: .seconds(30))
        let delivered = offsets.withLock { $0 }.sorted { $0.tag < $1.tag }
        #expect(delivered.map(\.tag) == [3, 4, 5])
        #expect(delivered.map(\.partition) == [0, 1, 0])
        #expect(delivered.map(\.offset) == [0, 0, 2], "partition 0 holds the untagged record at offset 1")
        #expect(reports.withLock { $0 }.isEmpty, "successes skip the report handler")

        let failed = Mutex<[UInt64]>([])
        let unreachable = try KafkaProducer(
            configuration: KafkaConfiguration(bootstrapServers: "127.0.0.1:1", ["message.timeout.ms": "500"]),
            deliveryReportHandler: { report in failed.withLock { $0.append(report.tag) } },
            deliveryReports: .failuresAndTagged,
            taggedOffsets: { _, _, _ in Issue.record("a failed delivery reached the offset handler") })
        try unreachable.produce(topic: "nowhere", key: nil, value: bytes("v"), tag: 8)
        _ = try? unreachable.flush(timeout: .seconds(10))
        #expect(failed.withLock { $0 } == [8])
    }
}
