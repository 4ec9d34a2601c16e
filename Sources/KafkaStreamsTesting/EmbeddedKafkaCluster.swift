import Foundation
import KafkaStreams
import RdKafka

/// An in-process Kafka cluster (librdkafka's mock cluster) for integration tests and examples.
///
/// ```swift
/// let cluster = try EmbeddedKafkaCluster()
/// try cluster.createTopic("text-lines", partitions: 2)
/// let streams = try KafkaStreams(topology: topology, config: cluster.streamsConfig(applicationID: "wc"),
///                                topicCreator: cluster.topicCreator)
/// try cluster.produce("text-lines", [(nil, "a b")], key: .optional(.string), value: .string)
/// ```
///
/// It is a real Kafka protocol listener on 127.0.0.1 that lives as long as this object. What it
/// cannot do (admin CreateTopics, transaction isolation, more than ~5 MiB per partition) is listed
/// in docs/testing.md.
public final class EmbeddedKafkaCluster: KafkaTestCluster {
    /// The mock cluster.
    public let cluster: MockCluster

    /// Starts a cluster of `brokers` brokers.
    public init(brokers: Int = 1) throws {
        cluster = try MockCluster(brokers: brokers)
    }

    /// `host:port` of the cluster.
    public var bootstrapServers: String { cluster.bootstrapServers }

    /// Creates internal topics through the mock's own API (it has no working CreateTopics).
    public var topicCreator: TopicCreator { .mockCluster(cluster) }

    /// Creates a topic with the mock's own API.
    public func createTopic(_ name: String, partitions: Int32 = 1) throws {
        try cluster.createTopic(name, partitions: partitions)
    }

    /// Stops the cluster; clients of it then fail to connect.
    public func stop() {
        cluster.stop()
    }
}

