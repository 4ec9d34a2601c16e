import Foundation
import KafkaStreams
import RdKafka

/// A Kafka-compatible broker that runs outside the test process, for tests that need what the
/// embedded mock cluster lacks (admin topic creation, real transactions).
public final class ExternalKafkaCluster: KafkaTestCluster {
    public let bootstrapServers: String

    public init(bootstrapServers: String) {
        self.bootstrapServers = bootstrapServers
    }

    /// The broker named by the `KAFKA_BOOTSTRAP_SERVERS` environment variable, if set.
    public static var fromEnvironment: ExternalKafkaCluster? {
        ProcessInfo.processInfo.environment["KAFKA_BOOTSTRAP_SERVERS"].map(ExternalKafkaCluster.init)
    }

    /// Internal topics are created through the admin API.
    public var topicCreator: TopicCreator { .adminClient }

    /// Creates a topic through the admin API (replication factor 1); an existing one is kept.
    public func createTopic(_ name: String, partitions: Int32 = 1) throws {
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: bootstrapServers))
        do {
            try admin.createTopics([NewTopic(name: name, partitions: partitions, replicationFactor: 1)], timeout: .seconds(30))
        } catch where error.errorCode == .topicAlreadyExists {
            return
        }
    }
}

/// The clusters tests can run on here.
public enum KafkaTestClusters {
    /// Which clusters are available: `embedded`, and `external` when `KAFKA_BOOTSTRAP_SERVERS` is set.
    public enum Kind: String, Sendable, CaseIterable, CustomStringConvertible {
        case embedded
        case external

        public var description: String { rawValue }
    }

    /// The kinds available in this environment.
    public static var available: [Kind] {
        ExternalKafkaCluster.fromEnvironment == nil ? [.embedded] : [.embedded, .external]
    }

    /// A fresh embedded cluster, or the external broker.
    public static func make(_ kind: Kind) throws -> any KafkaTestCluster {
        switch kind {
        case .embedded:
            return try EmbeddedKafkaCluster()
        case .external:
            guard let external = ExternalKafkaCluster.fromEnvironment else {
                throw KafkaTestClusterError.unavailable("KAFKA_BOOTSTRAP_SERVERS is not set")
            }
            return external
        }
    }
}
