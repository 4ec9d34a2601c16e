import RdKafka

/// How `KafkaStreams.start()` creates its internal topics (repartition and changelog topics).
///
/// The default uses Kafka's admin API. librdkafka's embedded mock cluster has no working
/// CreateTopics, so apps on `MockCluster` (and `EmbeddedKafkaCluster`) create topics through the
/// mock's own API instead.
public struct TopicCreator: Sendable {
    let create: @Sendable (_ topics: [NewTopic], _ config: StreamsConfig) throws -> Void

    /// Creates topics with the admin client; topics that exist already are left as they are.
    public static let adminClient = TopicCreator { topics, config in
        let admin = try KafkaAdmin(configuration: ClientDefaults.admin(config))
        do {
            try admin.createTopics(topics, timeout: .seconds(30))
        } catch let error as KafkaError where error.errorCode == .topicAlreadyExists {
            // Another instance (or an earlier run) created them: fine.
        }
    }

    /// Creates topics in librdkafka's in-process mock cluster.
    public static func mockCluster(_ cluster: MockCluster) -> TopicCreator {
        TopicCreator { topics, _ in
            for topic in topics {
                do {
                    try cluster.createTopic(
                        topic.name, partitions: topic.partitions, replicationFactor: max(1, topic.replicationFactor))
                } catch let error as KafkaError where error.errorCode == .topicAlreadyExists {
                    continue
                }
            }
        }
    }
}
