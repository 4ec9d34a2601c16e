import RdKafka
import Testing

@Suite("Seek, pause, positions and offsets on the mock cluster")
struct ConsumerPositionTests {
    @Test("seek, pause/resume, position, watermark offsets and committed offsets")
    func positions() throws {
        let cluster = try MockCluster(logger: testLogger)
        defer { cluster.stop() }
        let topic = uniqueName("positions")
        try cluster.createTopic(topic, partitions: 1)
        try produceAndFlush(cluster.bootstrapServers, topic: topic, values: (0..<10).map { "v\($0)" })
        let partition = TopicPartition(topic: topic, partition: 0)

        let consumer = try KafkaConsumer(configuration: consumerConfiguration(bootstrapServers: cluster.bootstrapServers, group: uniqueName("g")), logger: testLogger)
        defer { consumer.close() }

        let watermarks = try consumer.watermarkOffsets(topic: topic, partition: 0, timeout: .seconds(10))
        #expect(watermarks.low == 0)
        #expect(watermarks.high == 10)
        #expect(try consumer.committed([partition], timeout: .seconds(10)) == [TopicPartitionOffset(partition, offset: KafkaOffset.invalid)])

        try consumer.assign([TopicPartitionOffset(partition, offset: KafkaOffset.beginning)])
        #expect(try consumer.assignment() == [partition])
        #expect(try consumer.position([partition]) == [TopicPartitionOffset(partition, offset: KafkaOffset.invalid)])
        let firstThree = try consume(consumer, count: 3)
        #expect(firstThree.map(\.offset) == [0, 1, 2])
        #expect(try consumer.position([partition]) == [TopicPartitionOffset(partition, offset: 3)])
        #expect(try consumer.cachedWatermarkOffsets(topic: topic, partition: 0).high == 10)

        try consumer.seek(TopicPartitionOffset(partition, offset: 7), timeout: .seconds(5))
        let afterSeek = try consume(consumer, count: 1)
        #expect(afterSeek.first?.offset == 7)

        try consumer.pause([partition])
        try consumer.seek(TopicPartitionOffset(partition, offset: 8), timeout: .seconds(5))
        // Paused: nothing arrives, though records 8 and 9 are there.
        let clock = ContinuousClock()
        let quietUntil = clock.now.advanced(by: .milliseconds(500))
        while clock.now < quietUntil {
            #expect(try consumer.poll(timeout: .milliseconds(100)) == nil)
        }
        try consumer.resume([partition])
        let afterResume = try consume(consumer, count: 2)
        #expect(afterResume.map(\.offset) == [8, 9])

        try consumer.commit([TopicPartitionOffset(partition, offset: 8)])
        #expect(try consumer.committed([partition], timeout: .seconds(10)) == [TopicPartitionOffset(partition, offset: 8)])

        // Unassigning empties the assignment.
        try consumer.assign([])
        #expect(try consumer.assignment().isEmpty)
        // Incremental assignment adds partitions back.
        try consumer.incrementalAssign([TopicPartitionOffset(partition, offset: 9)])
        #expect(try consume(consumer, count: 1).first?.offset == 9)
        try consumer.incrementalUnassign([partition])
        #expect(try consumer.assignment().isEmpty)
    }

    @Test("end and beginning offsets of several partitions in one request agree with each partition's watermarks")
    func endAndBeginningOffsets() throws {
        let cluster = try MockCluster(logger: testLogger)
        defer { cluster.stop() }
        let topic = uniqueName("ends")
        try cluster.createTopic(topic, partitions: 3)
        try produceAndFlush(cluster.bootstrapServers, topic: topic, partition: 0, values: (0..<5).map { "a\($0)" })
        try produceAndFlush(cluster.bootstrapServers, topic: topic, partition: 2, values: (0..<2).map { "c\($0)" })
        // Past the mock's ~5 MiB log limit, partition 1 loses its oldest batches: its low
        // watermark moves up.
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers), logger: testLogger)
        let large = [UInt8](repeating: 0x62, count: 100 * 1024)
        for _ in 0..<82 { try producer.produce(topic: topic, partition: 1, key: nil, value: large) }
        try producer.flush(timeout: .seconds(30))

        let consumer = try KafkaConsumer(configuration: consumerConfiguration(bootstrapServers: cluster.bootstrapServers, group: uniqueName("g")), logger: testLogger)
        defer { consumer.close() }
        let partitions = (0..<3).map { TopicPartition(topic: topic, partition: Int32($0)) }
        let ends = try consumer.endOffsets(partitions, timeout: .seconds(10))
        let beginnings = try consumer.beginningOffsets(partitions, timeout: .seconds(10))
        #expect(ends.map(\.offset) == [5, 82, 2])
        for (index, partition) in partitions.enumerated() {
            let (low, high) = try consumer.watermarkOffsets(topic: topic, partition: partition.partition, timeout: .seconds(10))
            #expect(ends[index] == TopicPartitionOffset(partition, offset: high))
            #expect(beginnings[index] == TopicPartitionOffset(partition, offset: low))
        }
        #expect(beginnings[1].offset > 0, "the mock dropped partition 1's oldest batches")
        #expect(try consumer.endOffsets([], timeout: .seconds(1)).isEmpty)
        #expect(throws: KafkaError.self) {
            _ = try consumer.endOffsets([TopicPartition(topic: topic, partition: 7)], timeout: .seconds(5))
        }
    }

    @Test("group metadata, subscription and cluster metadata from a consumer")
    func metadata() throws {
        let cluster = try MockCluster(brokers: 3, logger: testLogger)
        defer { cluster.stop() }
        let topic = uniqueName("meta")
        try cluster.createTopic(topic, partitions: 6, replicationFactor: 3)
        let consumer = try KafkaConsumer(configuration: consumerConfiguration(bootstrapServers: cluster.bootstrapServers, group: uniqueName("g")), logger: testLogger)
        defer { consumer.close() }
        #expect(try consumer.partitionCount(topic: topic, timeout: .seconds(10)) == 6)
        let metadata = try consumer.metadata(timeout: .seconds(10))
        #expect(metadata.brokers.count == 3)
        let described = try #require(metadata.topic(named: topic))
        #expect(described.partitions.map(\.id) == Array(0..<6))
        #expect(described.partitions.allSatisfy { $0.replicas.count == 3 && (1...3).contains($0.leader) })

        try consumer.subscribe(topics: [topic])
        #expect(try consumer.subscription() == [topic])
        let groupMetadata = try consumer.groupMetadata()
        #expect(groupMetadata.groupID == consumer.configuration["group.id"])
        try consumer.unsubscribe()
        #expect(try consumer.subscription().isEmpty)
    }
}
