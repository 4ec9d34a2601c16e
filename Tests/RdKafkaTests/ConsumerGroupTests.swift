import RdKafka
import Testing

@Suite("Consumer groups on the mock cluster")
struct ConsumerGroupTests {
    @Test("committed offsets survive close: a new member of the group resumes from them")
    func commitCloseResume() throws {
        let cluster = try MockCluster(logger: testLogger)
        defer { cluster.stop() }
        let topic = uniqueName("resume")
        let group = uniqueName("group")
        try cluster.createTopic(topic, partitions: 1)
        try produceAndFlush(cluster.bootstrapServers, topic: topic, values: (0..<10).map { "value-\($0)" })
        let partition = TopicPartition(topic: topic, partition: 0)

        do {
            let first = try KafkaConsumer(configuration: consumerConfiguration(bootstrapServers: cluster.bootstrapServers, group: group), logger: testLogger)
            defer { first.close() }
            try first.subscribe(topics: [topic])
            let records = try consume(first, count: 4)
            #expect(records.map(\.offset) == [0, 1, 2, 3])
            // Commit "next offset to read" = last processed + 1.
            try first.commit([TopicPartitionOffset(partition, offset: 4)])
            #expect(try first.committed([partition], timeout: .seconds(10)) == [TopicPartitionOffset(partition, offset: 4)])
            first.close()
            first.close()  // idempotent
            #expect(first.isClosed)
            #expect(throws: KafkaError.self) { try first.poll(timeout: .zero) }
        }

        let second = try KafkaConsumer(configuration: consumerConfiguration(bootstrapServers: cluster.bootstrapServers, group: group), logger: testLogger)
        defer { second.close() }
        #expect(try second.committed([partition], timeout: .seconds(10)) == [TopicPartitionOffset(partition, offset: 4)])
        try second.subscribe(topics: [topic])
        let resumed = try consume(second, count: 1)
        #expect(resumed.first?.offset == 4)
        #expect(resumed.first?.value == bytes("value-4"))

        // Commit metadata is stored with the offset and read back.
        try second.commit([TopicPartitionOffset(topic: topic, partition: 0, offset: 5, metadata: "v1|é/0/1/2/3")])
        #expect(
            try second.committed([partition], timeout: .seconds(10))
                == [TopicPartitionOffset(topic: topic, partition: 0, offset: 5, metadata: "v1|é/0/1/2/3")])

        // commit() without offsets commits the current position.
        _ = try consume(second, count: 2)
        try second.commit()
        #expect(try second.committed([partition], timeout: .seconds(10)) == [TopicPartitionOffset(partition, offset: 7)])
    }

    @Test(
        "two members split a 4-partition topic and both see rebalance events",
        arguments: ["range", "cooperative-sticky"]
    )
    func twoMembersSplitPartitions(strategy: String) throws {
        let cluster = try MockCluster(logger: testLogger)
        defer { cluster.stop() }
        let topic = uniqueName("split")
        let group = uniqueName("group")
        try cluster.createTopic(topic, partitions: 4)
        let configuration = consumerConfiguration(
            bootstrapServers: cluster.bootstrapServers, group: group, ["partition.assignment.strategy": strategy]
        )
        let expectedProtocol: RebalanceEvent.RebalanceProtocol = strategy == "range" ? .eager : .cooperative

        let firstEvents = RebalanceEvents()
        let first = try KafkaConsumer(configuration: configuration, logger: testLogger)
        defer { first.close() }
        try first.subscribe(topics: [topic], rebalanceHandler: firstEvents.handler)
        try eventually("the first member owns all 4 partitions") {
            _ = try first.poll(timeout: .milliseconds(100))
            return try first.assignment().count == 4
        }

        let secondEvents = RebalanceEvents()
        let second = try KafkaConsumer(configuration: configuration, logger: testLogger)
        defer { second.close() }
        try second.subscribe(topics: [topic], rebalanceHandler: secondEvents.handler)
        // Only the batch API is used here: its calls must serve rebalances too.
        try eventually("both members own 2 partitions each", timeout: .seconds(60)) {
            try first.pollBatch(maxMessages: 10, timeout: .milliseconds(50)) { _ in }
            try second.pollBatch(maxMessages: 10, timeout: .milliseconds(50)) { _ in }
            return try first.assignment().count == 2 && second.assignment().count == 2
        }
        let firstAssignment = Set(try first.assignment())
        let secondAssignment = Set(try second.assignment())
        #expect(firstAssignment.isDisjoint(with: secondAssignment))
        #expect(firstAssignment.union(secondAssignment) == Set((0..<4).map { TopicPartition(topic: topic, partition: $0) }))

        let firstSeen = firstEvents.all
        let secondSeen = secondEvents.all
        #expect(firstSeen.contains { $0.kind == .assigned && $0.partitions.count == 4 })
        #expect(firstSeen.contains { $0.kind == .revoked }, "the first member gave up partitions: \(firstSeen)")
        #expect(secondSeen.contains { $0.kind == .assigned && Set($0.partitions) == secondAssignment })
        #expect((firstSeen + secondSeen).allSatisfy { $0.protocol == expectedProtocol })
        if expectedProtocol == .cooperative {
            // Incremental: only the two moved partitions are revoked, not the whole assignment.
            #expect(firstSeen.filter { $0.kind == .revoked }.flatMap(\.partitions).count == 2)
        }

        // Records from all partitions reach exactly the member that owns them.
        try produceAndFlush(cluster.bootstrapServers, topic: topic, partition: nil, values: (0..<40).map { "v\($0)" })
        var firstRecords: [ConsumerRecord] = []
        var secondRecords: [ConsumerRecord] = []
        try eventually("all 40 records across both members") {
            firstRecords += try first.poll(maxRecords: 100, timeout: .milliseconds(50))
            secondRecords += try second.poll(maxRecords: 100, timeout: .milliseconds(50))
            return firstRecords.count + secondRecords.count >= 40
        }
        #expect(firstRecords.allSatisfy { firstAssignment.contains($0.topicPartition) })
        #expect(secondRecords.allSatisfy { secondAssignment.contains($0.topicPartition) })

        // Closing revokes in the handler, on the closing thread.
        second.close()
        #expect(secondEvents.all.last?.kind == .revoked)
    }

    @Test("a scoped rebalance handler sees events on the polling thread, without Sendable state")
    func scopedRebalanceHandler() throws {
        let cluster = try MockCluster(logger: testLogger)
        defer { cluster.stop() }
        let topic = uniqueName("scoped")
        try cluster.createTopic(topic, partitions: 2)
        let sendableEvents = RebalanceEvents()
        let consumer = try KafkaConsumer(
            configuration: consumerConfiguration(bootstrapServers: cluster.bootstrapServers, group: uniqueName("group")),
            logger: testLogger
        )
        defer { consumer.close() }
        try consumer.subscribe(topics: [topic], rebalanceHandler: sendableEvents.handler)
        var scopedEvents: [RebalanceEvent] = []  // plain local state: the handler runs on this thread
        try consumer.withRebalanceHandler({ scopedEvents.append($0) }) {
            try eventually("an assignment") {
                try consumer.pollBatch(maxMessages: 10, timeout: .milliseconds(100)) { _ in }
                return try consumer.assignment().count == 2
            }
        }
        #expect(scopedEvents.map(\.kind) == [.assigned])
        #expect(Set(scopedEvents.first?.partitions ?? []) == Set(try consumer.assignment()))
        #expect(sendableEvents.all.isEmpty, "the scoped handler replaces the subscribe handler meanwhile")
        consumer.close()
        #expect(sendableEvents.all.map(\.kind) == [.revoked], "outside the scope, the subscribe handler is back")
    }

    @Test("a consumer needs a group id")
    func groupIDRequired() throws {
        #expect {
            _ = try KafkaConsumer(configuration: ["bootstrap.servers": "127.0.0.1:1"], logger: testLogger)
        } throws: { error in
            let error = error as? KafkaError
            return error?.kind == .configuration && error?.configurationKey == "group.id"
        }
    }
}
