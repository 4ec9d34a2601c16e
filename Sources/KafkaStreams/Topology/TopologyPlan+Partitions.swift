extension TopologyPlan {
    /// The partition count of every internal topic (by its topology name, without the application
    /// id), from the counts of the external source topics, as Kafka Streams decides them:
    ///
    /// - a subtopology runs as many tasks as its source topics have partitions (the largest count);
    /// - a repartition topic gets the count `Repartitioned` fixed, else the largest task count of
    ///   the subtopologies that write it;
    /// - then co-partition groups (the inputs of joins) are enforced: their external topics must
    ///   all have the same count, which their repartition topics take; a group of repartition
    ///   topics only takes the count fixed by `Repartitioned`, else the largest;
    /// - a changelog topic gets the task count of its store's subtopology.
    ///
    /// - Parameter external: Partition counts of external topics; a topic not listed counts 1.
    /// - Throws: ``TopologyError/copartitioning(_:)`` naming two topics of a join whose counts
    ///   differ and cannot be made equal.
    func internalTopicPartitions(external: [String: Int32]) throws -> [String: Int32] {
        var overrides: [String: Int32] = [:]
        let natural = try partitionCounts(external: external, overrides: overrides)
        for group in copartitionGroups {
            let externals = group.filter { internalTopics[$0] == nil && !globalTopics.contains($0) }.sorted()
            let repartitions = group.filter { internalTopics[$0]?.kind == .repartition }.sorted()
            let target: Int32
            let reference: String
            if let first = externals.first {
                let count = external[first] ?? 1
                for topic in externals.dropFirst() where (external[topic] ?? 1) != count {
                    throw Self.notCopartitioned(first, count, topic, external[topic] ?? 1)
                }
                (target, reference) = (count, first)
            } else if let fixed = repartitions.first(where: { internalTopics[$0]?.partitions != nil }),
                let count = internalTopics[fixed]?.partitions
            {
                (target, reference) = (count, fixed)
            } else {
                let widest = repartitions.max { (natural.topics[$0] ?? 1) < (natural.topics[$1] ?? 1) }
                guard let widest else { continue }
                (target, reference) = (natural.topics[widest] ?? 1, widest)
            }
            for topic in repartitions {
                if let fixed = internalTopics[topic]?.partitions {
                    if fixed != target { throw Self.notCopartitioned(reference, target, topic, fixed) }
                } else {
                    overrides[topic] = target
                }
            }
        }
        let counts = try partitionCounts(external: external, overrides: overrides)
        var result: [String: Int32] = [:]
        for topic in internalTopics.values {
            switch topic.kind {
            case .repartition:
                result[topic.name] = counts.topics[topic.name] ?? 1
            case .changelog(let store):
                let owner = subtopologies.first { $0.storeNames.contains(store) }
                result[topic.name] = owner.flatMap { counts.subtopologies[$0.id] } ?? 1
            }
        }
        return result
    }

    /// The number of tasks of each subtopology for these internal topic counts: the largest
    /// count of its source topics.
    func taskCounts(external: [String: Int32], internal internalCounts: [String: Int32]) -> [Int: Int32] {
        var counts: [Int: Int32] = [:]
        for subtopology in subtopologies {
            counts[subtopology.id] = subtopology.sourceTopics.map { topic -> Int32 in
                let counts = internalTopics[topic] == nil ? external : internalCounts
                return counts[topic] ?? 1
            }.max() ?? 1
        }
        return counts
    }

    private static func notCopartitioned(_ first: String, _ firstCount: Int32, _ second: String, _ secondCount: Int32)
        -> TopologyError
    {
        .copartitioning(
            "topics \(first) (\(firstCount) partitions) and \(second) (\(secondCount) partitions) are joined, "
                + "so they must have the same number of partitions")
    }

    /// Counts of repartition topics and of subtopologies' tasks, with `overrides` for
    /// repartition topics.
    ///
    /// Subtopologies may feed each other in a cycle (a foreign-key join's subscription and
    /// response topics): as Kafka Streams does, a topic whose count is still being computed is
    /// left out of its readers' counts, and co-partitioning then fixes both topics.
    private func partitionCounts(external: [String: Int32], overrides: [String: Int32]) throws
        -> (topics: [String: Int32], subtopologies: [Int: Int32])
    {
        var subtopologyCounts: [Int: Int32] = [:]
        var topicCounts: [String: Int32] = [:]
        var resolving: Set<Int> = []
        func partitions(ofSubtopology id: Int) -> Int32? {
            if let known = subtopologyCounts[id] { return known }
            guard resolving.insert(id).inserted else { return nil }
            defer { resolving.remove(id) }
            var count: Int32 = 1
            for topic in subtopologies[id].sourceTopics {
                if let topicCount = partitions(ofTopic: topic) { count = max(count, topicCount) }
            }
            subtopologyCounts[id] = count
            return count
        }
        func partitions(ofTopic topic: String) -> Int32? {
            guard let internalTopic = internalTopics[topic] else { return external[topic] ?? 1 }
            if let known = topicCounts[topic] { return known }
            if let fixed = internalTopic.partitions ?? overrides[topic] {
                topicCounts[topic] = fixed
                return fixed
            }
            var widest: Int32?
            for writer in subtopologies where writer.sinkTopics.contains(topic) {
                if let count = partitions(ofSubtopology: writer.id) { widest = max(widest ?? 1, count) }
            }
            // Unknown while a writer is being computed (a cycle): known later, or fixed by co-partitioning.
            guard let widest else { return nil }
            topicCounts[topic] = widest
            return widest
        }
        for subtopology in subtopologies { _ = partitions(ofSubtopology: subtopology.id) }
        for topic in internalTopics.values where topic.kind == .repartition {
            topicCounts[topic.name] = partitions(ofTopic: topic.name) ?? 1
        }
        return (topicCounts, subtopologyCounts)
    }
}
