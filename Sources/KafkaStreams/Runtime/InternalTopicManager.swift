import Logging
import RdKafka

/// Checks source topics and creates repartition and changelog topics at start.
///
/// Partition counts follow Kafka Streams: a subtopology runs as many tasks as its source topics
/// have partitions (the largest count); a repartition topic gets the count of the subtopology
/// that writes it, unless `Repartitioned` fixed one or it is joined (co-partitioned) with other
/// topics; a changelog topic gets its store's task count (see `TopologyPlan+Partitions.swift`).
enum InternalTopicManager {
    /// Returns the partition count of every source topic, by broker name.
    static func prepare(
        plan: TopologyPlan, config: StreamsConfig, creator: TopicCreator, logger: Logger
    ) throws -> [String: Int32] {
        let existing = try existingTopics(config: config)
        let missing = Set((plan.externalSourceTopics + plan.globalTopics).filter { existing[$0] == nil })
        if !missing.isEmpty { throw StreamsError.missingSourceTopics(missing.sorted()) }

        // Repartition counts follow the writers' task counts; co-partitioned (joined) topics must
        // match (see `TopologyPlan.internalTopicPartitions`).
        let counts = try plan.internalTopicPartitions(external: existing)

        var toCreate: [NewTopic] = []
        var result: [String: Int32] = [:]
        for topic in plan.internalTopics.values.sorted(by: { $0.name < $1.name }) {
            let count = counts[topic.name] ?? 1
            let brokerName = "\(config.applicationID)-\(topic.name)"
            result[brokerName] = count
            if let have = existing[brokerName] {
                if have != count {
                    logger.warning(
                        "internal topic has another partition count than the topology needs",
                        metadata: ["topic": "\(brokerName)", "has": "\(have)", "needs": "\(count)"])
                }
                continue
            }
            toCreate.append(
                NewTopic(
                    name: brokerName, partitions: count, replicationFactor: Int32(config.replicationFactor),
                    configs: topic.configs))
        }
        for topic in plan.externalSourceTopics { result[topic] = existing[topic] }
        if !toCreate.isEmpty {
            logger.info("creating internal topics", metadata: ["topics": "\(toCreate.map(\.name))"])
            do {
                try creator.create(toCreate, config)
            } catch {
                throw StreamsError.brokerUnavailable("cannot create internal topics \(toCreate.map(\.name)): \(error)")
            }
        }
        return result
    }

    private static func existingTopics(config: StreamsConfig) throws -> [String: Int32] {
        do {
            let admin = try KafkaAdmin(configuration: ClientDefaults.admin(config))
            let metadata = try admin.metadata(timeout: .seconds(15))
            var topics: [String: Int32] = [:]
            for topic in metadata.topics where topic.error == nil {
                topics[topic.name] = Int32(topic.partitions.count)
            }
            return topics
        } catch where error.kind == .configuration {
            throw StreamsConfigError(setting: "kafkaProperties", message: "\(error)")
        } catch {
            throw StreamsError.brokerUnavailable("cannot read metadata from \(config.bootstrapServers): \(error)")
        }
    }
}
