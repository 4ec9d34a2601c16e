// What joins add to a topology: co-partition groups (the inputs of a join must have the same
// partition count, so that partition N of each lands in the same task) and global stores.

extension Topology {
    /// Records that the input topics upstream of `nodes` must be co-partitioned.
    ///
    /// The topics are resolved when the topology is planned: for each node, the topics of the
    /// sources it is reached from (walking parents up to the sources of its subtopology, as Kafka
    /// Streams' `ensureCopartitionWith` collects a stream's source nodes).
    func copartition(_ nodes: [String]) {
        copartitionGroups.append(nodes)
    }

    /// The topics upstream of a node: those of every source it is reached from.
    func sourceTopics(upstreamOf node: String) -> Set<String> {
        let byName = Dictionary(nodes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var topics: Set<String> = []
        var seen: Set<String> = []
        var pending = [node]
        while let name = pending.popLast() {
            guard seen.insert(name).inserted, let definition = byName[name] else { continue }
            if case .source(let sourceTopics) = definition.kind { topics.formUnion(sourceTopics) }
            pending.append(contentsOf: definition.parents)
        }
        return topics
    }

    /// The co-partition groups as sets of topics; groups that share a topic are merged.
    func copartitionTopicGroups() -> [Set<String>] {
        var groups: [Set<String>] = []
        for nodeGroup in copartitionGroups {
            var merged = nodeGroup.reduce(into: Set<String>()) { $0.formUnion(sourceTopics(upstreamOf: $1)) }
            guard merged.count > 1 else { continue }
            groups.removeAll { group in
                guard !group.isDisjoint(with: merged) else { return false }
                merged.formUnion(group)
                return true
            }
            groups.append(merged)
        }
        return groups
    }

    /// Adds a global table's store and source; errors (duplicate names) are thrown by `plan()`.
    func addGlobalStore(_ definition: GlobalStoreDefinition) {
        globalStores.append(definition)
    }

    /// Checks global stores against the rest of the topology: unique store and node names, and
    /// topics that no other source reads.
    func validatedGlobalStores(topicsRead: [String: String]) throws -> [GlobalStoreDefinition] {
        var storeNames: Set<String> = Set(stores.keys)
        var nodeNames: Set<String> = Set(nodes.map(\.name))
        var globalTopics: [String: String] = [:]
        for global in globalStores {
            guard storeNames.insert(global.store.name).inserted else {
                throw TopologyError.duplicateName(global.store.name)
            }
            for name in [global.sourceName, global.processorName] {
                guard nodeNames.insert(name).inserted else { throw TopologyError.duplicateName(name) }
            }
            if let other = topicsRead[global.topic] ?? globalTopics[global.topic] {
                throw TopologyError.invalidTopology(
                    "topic \(global.topic) is read by both \(other) and the global table source \(global.sourceName)")
            }
            globalTopics[global.topic] = global.sourceName
        }
        return globalStores
    }
}

extension TopologyPlan {
    /// The topics of global tables (external topics, read in full by every instance).
    var globalTopics: [String] { globalStores.map(\.topic) }

    /// The global store definition named `name`, if any.
    func globalStore(named name: String) -> GlobalStoreDefinition? {
        globalStores.first { $0.store.name == name }
    }
}

extension Topology {
    /// The source of a repartition topic that `parent` already writes through a filter and a
    /// sink (a stream joined twice under the same repartition name reuses its topic).
    func repartitionSource(of topic: String, writtenFrom parent: String) -> String? {
        let byName = Dictionary(nodes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let writesTopic = nodes.contains { node in
            guard case .sink(let sinkTopic) = node.kind, sinkTopic == topic else { return false }
            return node.parents.contains { byName[$0]?.parents.contains(parent) ?? false }
        }
        guard writesTopic else { return nil }
        return nodes.first { node in
            if case .source(let topics) = node.kind { return topics == [topic] }
            return false
        }?.name
    }
}
