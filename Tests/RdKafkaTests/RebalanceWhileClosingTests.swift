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

    /// Runs `body` with a consumer of a new mock cluster (not subscribed) and a 2-partition topic.
    static func withConsumer(_ body: (KafkaConsumer, _ topic: String) throws -> Void) throws {
        let cluster = try MockCluster(logger: testLogger)
        defer { cluster.stop() }
        let topic = uniqueName("assign")
        try cluster.createTopic(topic, partitions: 2)
        let consumer = try KafkaConsumer(
            configuration: consumerConfiguration(bootstrapServers: cluster.bootstrapServers, group: uniqueName("g")),
            logger: testLogger)
        defer { consumer.close() }
        try body(consumer, topic)
    }

    @Test("an open consumer takes the partitions and tells its handler")
    func openConsumerTakesTheAssignment() throws {
        try Self.withConsumer { consumer, topic in
            let partitions = [TopicPartition(topic: topic, partition: 0), TopicPartition(topic: topic, partition: 1)]
            let heard = try Self.assign(partitions, to: consumer)
            #expect(heard.map(\.kind) == [.assigned])
            #expect(heard.first?.partitions == partitions)
            #expect(try consumer.assignment() == partitions)
        }
    }

    @Test("a closing consumer declines the partitions and its handler does not hear of them")
    func closingConsumerDeclinesTheAssignment() throws {
        try Self.withConsumer { consumer, topic in
            // What `close()` sets before librdkafka's close, which serves late rebalances.
            consumer.callbacks.isClosing.store(true, ordering: .releasing)
            let heard = try Self.assign([TopicPartition(topic: topic, partition: 0)], to: consumer)
            #expect(heard.isEmpty)
            #expect(try consumer.assignment().isEmpty)
        }
    }
}
