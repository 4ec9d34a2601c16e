import KafkaStreams
import KafkaStreamsTesting
import RdKafka

/// The broker every row of a run uses: the embedded mock cluster (in this process) or an external
/// Kafka-compatible broker.
final class BenchBroker {
    let bootstrapServers: String
    /// The mock cluster, when embedded (it lives as long as this object).
    let embedded: EmbeddedKafkaCluster?

    init(_ address: String) throws {
        if address == "embedded" {
            let cluster = try EmbeddedKafkaCluster()
            embedded = cluster
            bootstrapServers = cluster.bootstrapServers
        } else {
            embedded = nil
            bootstrapServers = address
        }
    }

    var isEmbedded: Bool { embedded != nil }

    var description: String { isEmbedded ? "embedded (librdkafka mock cluster, \(bootstrapServers))" : bootstrapServers }

    /// How the streams runtime creates its internal topics here.
    var topicCreator: TopicCreator { embedded?.topicCreator ?? .adminClient }

    /// Creates a topic (on the mock through its own API: it has no working CreateTopics).
    func createTopic(_ name: String, partitions: Int) throws {
        if let embedded {
            try embedded.createTopic(name, partitions: Int32(partitions))
        } else {
            let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: bootstrapServers))
            try admin.createTopics([NewTopic(name: name, partitions: Int32(partitions))], timeout: .seconds(30))
        }
    }
}
