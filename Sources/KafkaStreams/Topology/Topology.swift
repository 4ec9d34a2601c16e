/// A processing graph: sources, processors, sinks and state stores.
///
/// Build one with ``StreamsBuilder`` (the DSL), or by hand with the Processor API:
///
/// ```swift
/// let topology = Topology()
/// try topology.addSource("in", topics: ["input"], key: .string, value: .string)
/// try topology.addProcessor("upper", parents: ["in"]) { context in Uppercase(context: context) }
/// try topology.addSink("out", topic: "output", key: .string, value: .string, parents: ["upper"])
/// print(topology.describe())
/// ```
///
/// Names are unique. Generated names are deterministic (`KSTREAM-MAP-0000000003`), so a topology
/// built the same way finds the same stores and internal topics after a restart.
public final class Topology {
    private(set) var nodes: [NodeDefinition] = []
    private var nodeIndex: [String: Int] = [:]
    private(set) var stores: [String: StoreDefinition] = [:]
    private var storeOrder: [String] = []
    private(set) var internalTopics: [String: InternalTopic] = [:]
    private var nextIndex = 0
    /// Groups of nodes whose input topics must be co-partitioned (joins); see `Topology+Joins.swift`.
    var copartitionGroups: [[String]] = []
    /// Global tables: stores fed from whole topics, outside every subtopology.
    var globalStores: [GlobalStoreDefinition] = []

    public init() {}

    // MARK: - Processor API

    /// Adds a source that reads `topics` with these serdes.
    @discardableResult
    public func addSource<Key, Value>(
        _ name: String, topics: [String], key: Serde<Key>, value: Serde<Value>
    ) throws -> Topology {
        guard !topics.isEmpty else { throw TopologyError.invalidTopology("source \(name) names no topic") }
        try add(SourceNode<Key, Value>.definition(name: name, topics: topics, key: key, value: value))
        return self
    }

    /// Adds a processor made per task by `make`, after `parents`.
    @discardableResult
    public func addProcessor<P: Processor>(
        _ name: String, parents: [String], stores: [String] = [],
        _ make: @escaping @Sendable (ProcessorContext<P.KeyOut, P.ValueOut>) throws -> P
    ) throws -> Topology {
        guard !parents.isEmpty else { throw TopologyError.invalidTopology("processor \(name) has no parent") }
        try add(ProcessorAPINode<P>.definition(name: name, parents: parents, stores: stores, make: make))
        return self
    }

    /// Adds a processor of type `P`, made per task with `P(context:)`, after `parents`.
    @discardableResult
    public func addProcessor<P: Processor>(
        _ name: String, _ type: P.Type, parents: [String], stores: [String] = []
    ) throws -> Topology {
        try addProcessor(name, parents: parents, stores: stores) { context in try P(context: context) }
    }

    /// Adds a sink that writes its parents' records to `topic`.
    ///
    /// - Parameter partitioner: Chooses a partition from key, value and partition count; `nil`
    ///   (or a partitioner returning `nil`) uses Kafka's default: murmur2 of the key bytes.
    @discardableResult
    public func addSink<Key, Value>(
        _ name: String, topic: String, key: Serde<Key>, value: Serde<Value>, parents: [String],
        partitioner: (@Sendable (Key, Value, Int32) -> Int32?)? = nil
    ) throws -> Topology {
        guard !parents.isEmpty else { throw TopologyError.invalidTopology("sink \(name) has no parent") }
        try add(
            SinkNode<Key, Value>.definition(
                name: name, topic: topic, key: key, value: value, partitioner: partitioner, parents: parents))
        return self
    }

    /// Adds a state store and connects it to `processors`.
    @discardableResult
    public func addStateStore<Key, Value>(_ builder: StoreBuilder<Key, Value>, processors: [String] = []) throws
        -> Topology
    {
        try add(store: builder.definition())
        try connectProcessorAndStateStores(processors, stores: [builder.name])
        return self
    }

    /// Lets each processor use each store.
    public func connectProcessorAndStateStores(_ processors: [String], stores storeNames: [String]) throws {
        for store in storeNames where stores[store] == nil {
            throw TopologyError.unknownStore(node: processors.first ?? "?", store: store)
        }
        for processor in processors {
            guard let index = nodeIndex[processor] else {
                throw TopologyError.invalidTopology("cannot connect stores to the unknown processor \(processor)")
            }
            for store in storeNames where !nodes[index].stores.contains(store) {
                nodes[index].stores.append(store)
            }
        }
    }

    /// Connects a processor to a store by the processor's name.
    public func connectProcessorAndStateStores(_ processor: String, stores storeNames: [String]) throws {
        try connectProcessorAndStateStores([processor], stores: storeNames)
    }

    // MARK: - Building (shared with the DSL)

    func add(_ node: NodeDefinition) throws {
        if nodeIndex[node.name] != nil { throw TopologyError.duplicateName(node.name) }
        for parent in node.parents where nodeIndex[parent] == nil {
            throw TopologyError.unknownParent(node: node.name, parent: parent)
        }
        nodeIndex[node.name] = nodes.count
        nodes.append(node)
    }

    func add(store: StoreDefinition) throws {
        if stores[store.name] != nil { throw TopologyError.duplicateName(store.name) }
        stores[store.name] = store
        storeOrder.append(store.name)
        if store.loggingEnabled {
            var configs = ["cleanup.policy": "compact"]
            configs.merge(store.changelogConfigs) { _, new in new }
            internalTopics[store.changelogTopic] = InternalTopic(
                name: store.changelogTopic, kind: .changelog(store: store.name), partitions: nil, configs: configs)
        }
    }

    func addRepartitionTopic(_ name: String, partitions: Int32?) {
        internalTopics[name] = InternalTopic(name: name, kind: .repartition, partitions: partitions, configs: [:])
    }

    func hasNode(_ name: String) -> Bool { nodeIndex[name] != nil }

    /// `prefix` followed by the next index as 10 digits: `KSTREAM-MAP-0000000003`.
    func newName(_ prefix: String) -> String {
        let index = String(nextIndex)
        nextIndex += 1
        return prefix + String(repeating: "0", count: max(0, 10 - index.count)) + index
    }

    /// Checks the topology and freezes it for running.
    func plan() throws -> TopologyPlan {
        // Types and stores of every edge.
        for node in nodes {
            for parent in node.parents {
                let parentNode = nodes[nodeIndex[parent]!]
                guard let output = parentNode.outputType else {
                    throw TopologyError.invalidTopology("\(node.name) cannot follow the sink \(parent)")
                }
                if let input = node.inputType, input != output {
                    throw TopologyError.typeMismatch(
                        node: node.name, parent: parent, expected: input.name, actual: output.name)
                }
            }
            for store in node.stores where stores[store] == nil {
                throw TopologyError.unknownStore(node: node.name, store: store)
            }
            if case .source = node.kind {
                continue
            } else if node.parents.isEmpty {
                throw TopologyError.noSource(node: node.name)
            }
        }
        let usedStores = Set(nodes.flatMap(\.stores))
        for store in storeOrder where !usedStores.contains(store) {
            throw TopologyError.storeNotConnected(store: store)
        }
        var topicsRead: [String: String] = [:]
        for node in nodes {
            if case .source(let topics) = node.kind {
                for topic in topics {
                    if let other = topicsRead[topic] {
                        throw TopologyError.invalidTopology("topic \(topic) is read by both \(other) and \(node.name)")
                    }
                    topicsRead[topic] = node.name
                }
            }
        }
        if nodes.isEmpty { throw TopologyError.invalidTopology("the topology has no nodes") }

        let subtopologies = computeSubtopologies()
        var subtopologyByTopic: [String: Int] = [:]
        for subtopology in subtopologies {
            for topic in subtopology.sourceTopics { subtopologyByTopic[topic] = subtopology.id }
        }
        for (name, topic) in internalTopics where topic.kind == .repartition && subtopologyByTopic[name] == nil {
            throw TopologyError.invalidTopology("repartition topic \(name) is written but never read")
        }
        var plan = TopologyPlan(
            nodes: nodes, nodeIndex: nodeIndex, stores: stores, subtopologies: subtopologies,
            internalTopics: internalTopics, subtopologyByTopic: subtopologyByTopic)
        plan.copartitionGroups = copartitionTopicGroups()
        plan.globalStores = try validatedGlobalStores(topicsRead: topicsRead)
        return plan
    }

    /// Groups nodes that share edges or stores; numbers groups in the order of their first node.
    private func computeSubtopologies() -> [Subtopology] {
        var parent = Array(nodes.indices)
        func find(_ i: Int) -> Int {
            var i = i
            while parent[i] != i {
                parent[i] = parent[parent[i]]
                i = parent[i]
            }
            return i
        }
        func union(_ a: Int, _ b: Int) {
            let (ra, rb) = (find(a), find(b))
            if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
        }
        var storeOwner: [String: Int] = [:]
        for (index, node) in nodes.enumerated() {
            for parentName in node.parents { union(index, nodeIndex[parentName]!) }
            for store in node.stores {
                if let owner = storeOwner[store] { union(index, owner) } else { storeOwner[store] = index }
            }
        }
        var groups: [Int: [Int]] = [:]
        var order: [Int] = []
        for index in nodes.indices {
            let root = find(index)
            if groups[root] == nil { order.append(root) }
            groups[root, default: []].append(index)
        }
        return order.enumerated().map { id, root in
            let members = groups[root]!.map { nodes[$0] }
            var sources: [String] = []
            var sinks: [String] = []
            var storeNames: [String] = []
            for node in members {
                switch node.kind {
                case .source(let topics): sources.append(contentsOf: topics)
                case .sink(let topic): sinks.append(topic)
                case .processor: break
                }
                for store in node.stores where !storeNames.contains(store) { storeNames.append(store) }
            }
            return Subtopology(
                id: id, nodeNames: members.map(\.name), sourceTopics: sources, sinkTopics: sinks,
                storeNames: storeNames)
        }
    }
}
