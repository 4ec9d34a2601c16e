import Logging
import RdKafka

/// Checks source topics and creates repartition and changelog topics at start.
///
/// Partition counts follow Kafka Streams: a subtopology runs as many tasks as its source topics
/// have partitions (the largest count); a repartition topic gets the count of the subtopology
/// that writes it, unless `Repartitioned` fixed one; a changelog topic gets its store's task count.
enum InternalTopicManager {
    /// Returns the partition count of every source topic, by broker name.
    static func prepare(
        plan: TopologyPlan, config: StreamsConfig, creator: TopicCreator, logger: Logger
    ) throws -> [String: Int32] {
        let existing = try existingTopics(config: config)
        let missing = Set(plan.externalSourceTopics.filter { existing[$0] == nil })
        if !missing.isEmpty { throw StreamsError.missingSourceTopics(missing.sorted()) }

        var subtopologyPartitions: [Int: Int32] = [:]
        var resolving: Set<Int> = []
        func partitions(ofSubtopology id: Int) throws -> Int32 {
            if let known = subtopologyPartitions[id] { return known }
            guard resolving.insert(id).inserted else {
                throw TopologyError.invalidTopology("repartition topics form a cycle through subtopology \(id)")
            }
            var count: Int32 = 1
            for topic in plan.subtopologies[id].sourceTopics {
                count = max(count, try partitions(ofTopic: topic))
            }
            subtopologyPartitions[id] = count
            return count
        }
        func partitions(ofTopic topic: String) throws -> Int32 {
            guard let internalTopic = plan.internalTopics[topic] else { return existing[topic] ?? 1 }
            if let fixed = internalTopic.partitions { return fixed }
            let writers = plan.subtopologies.filter { $0.sinkTopics.contains(topic) }
            var count: Int32 = 1
            for writer in writers { count = max(count, try partitions(ofSubtopology: writer.id)) }
            return count
        }

        var toCreate: [NewTopic] = []
        var result: [String: Int32] = [:]
        for topic in plan.internalTopics.values.sorted(by: { $0.name < $1.name }) {
            let count: Int32
            switch topic.kind {
            case .repartition:
                count = try partitions(ofTopic: topic.name)
            case .changelog(let store):
                let owner = plan.subtopologies.first { $0.storeNames.contains(store) }
                count = try owner.map { try partitions(ofSubtopology: $0.id) } ?? 1
            }
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
