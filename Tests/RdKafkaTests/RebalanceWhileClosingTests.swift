import CRdKafka
@testable import RdKafka
import Synchronization
import Testing

/// What the rebalance callback does with partitions handed to a consumer that is closing.
@Suite("Assignments while closing")
struct RebalanceWhileClosingTests {
    /// Calls the consumer's rebalance callback as librdkafka would, with an assignment of
    /// `partitions`; returns the events the handler heard of.
    static func assign(_ partitions: [TopicPartition], to consumer: KafkaConsumer) throws -> [RebalanceEvent] {
        let heard = Mutex<[RebalanceEvent]>([])
        consumer.callbacks.rebalanceHandler.withLock { handler in
            handler = { event in heard.withLock { $0.append(event) } }
        }
        let list = try NativeTopicPartitionList(partitions)
        rebalanceCallback(consumer.handle, RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS, list.pointer, consumer.callbacks.opaque)
        return heard.withLock { $0 }
    }

    static func consumer(_ cluster: MockCluster) throws -> KafkaConsumer {
        try KafkaConsumer(
            configuration: consumerConfiguration(bootstrapServers: cluster.bootstrapServers, group: uniqueName("g")),
            logger: testLogger)
    }

    @Test("an open consumer takes the partitions and tells its handler")
    func openConsumerTakesTheAssignment() throws {
        let cluster = try MockCluster(logger: testLogger)
        defer { cluster.stop() }
        let topic = uniqueName("assign")
        try cluster.createTopic(topic, partitions: 2)
        let consumer = try Self.consumer(cluster)
        defer { consumer.close() }
        let partitions = [TopicPartition(topic: topic, partition: 0), TopicPartition(topic: topic, partition: 1)]
        let heard = try Self.assign(partitions, to: consumer)
        #expect(heard.map(\.kind) == [.assigned])
        #expect(heard.first?.partitions == partitions)
        #expect(try consumer.assignment() == partitions)
    }

    @Test("a closing consumer declines the partitions and its handler does not hear of them")
    func closingConsumerDeclinesTheAssignment() throws {
        let cluster = try MockCluster(logger: testLogger)
        defer { cluster.stop() }
        let topic = uniqueName("decline")
        try cluster.createTopic(topic, partitions: 2)
        let consumer = try Self.consumer(cluster)
        defer { consumer.close() }
        // What `close()` sets before librdkafka's close, which serves late rebalances.
        consumer.callbacks.isClosing.store(true, ordering: .releasing)
        let heard = try Self.assign([TopicPartition(topic: topic, partition: 0)], to: consumer)
        #expect(heard.isEmpty)
        #expect(try consumer.assignment().isEmpty)
    }
}
