/// A printable description of a topology, in the format of Kafka Streams' `TopologyDescription`.
///
/// ```
/// Topologies:
///    Sub-topology: 0
///     Source: KSTREAM-SOURCE-0000000000 (topics: [text-lines])
///       --> KSTREAM-FLATMAPVALUES-0000000001
///     Processor: KSTREAM-FLATMAPVALUES-0000000001 (stores: [])
///       --> KSTREAM-KEY-SELECT-0000000002
///       <-- KSTREAM-SOURCE-0000000000
///     ...
///
///   Sub-topology: 1
///     ...
/// ```
public struct TopologyDescription: Sendable, CustomStringConvertible, Equatable {
    /// One node, with its neighbours.
    public struct Node: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            case source(topics: [String])
            case processor(stores: [String])
            case sink(topic: String)
        }

        public let name: String
        public let kind: Kind
        public let predecessors: [String]
        public let successors: [String]
    }

    /// A subtopology: nodes connected by records or stores.
    public struct Subtopology: Sendable, Equatable {
        public let id: Int
        public let nodes: [Node]
    }

    public let subtopologies: [Subtopology]
    /// The global tables' stores, each fed by a source and a processor outside any task
    /// (numbered after the subtopologies).
    public internal(set) var globalStores: [Subtopology] = []

    /// The text Kafka Streams prints: each node with `-->` successors and `<--` predecessors
    /// (`none` when a processor has none), and a blank line after each subtopology.
    public var description: String {
        func names(_ list: [String]) -> String { list.isEmpty ? "none" : list.joined(separator: ", ") }
        var out = "Topologies:\n "
        for subtopology in subtopologies {
            out += "  Sub-topology: \(subtopology.id)\n"
            for node in subtopology.nodes {
                switch node.kind {
                case .source(let topics):
                    out += "    Source: \(node.name) (topics: [\(topics.joined(separator: ", "))])\n"
                    out += "      --> \(names(node.successors))\n"
                case .processor(let stores):
                    out += "    Processor: \(node.name) (stores: [\(stores.joined(separator: ", "))])\n"
                    out += "      --> \(names(node.successors))\n"
                    out += "      <-- \(names(node.predecessors))\n"
                case .sink(let topic):
                    out += "    Sink: \(node.name) (topic: \(topic))\n"
                    out += "      <-- \(names(node.predecessors))\n"
                }
            }
            out += "\n"
        }
        for global in globalStores {
            out += "  Sub-topology: \(global.id) for global store (will not generate tasks)\n"
            for node in global.nodes {
                switch node.kind {
                case .source(let topics):
                    out += "    Source: \(node.name) (topics: [\(topics.joined(separator: ", "))])\n"
                    out += "      --> \(names(node.successors))\n"
                case .processor(let stores):
                    out += "    Processor: \(node.name) (stores: [\(stores.joined(separator: ", "))])\n"
                    out += "      --> \(names(node.successors))\n"
                    out += "      <-- \(names(node.predecessors))\n"
                case .sink: break
                }
            }
            out += "\n"
        }
        return out
    }
}

extension Topology {
    /// Describes the topology's subtopologies, sources, processors, stores and sinks.
    ///
    /// Nodes are ordered as Kafka Streams orders them: by the number of paths that start at the
    /// node (so upstream nodes and larger branches come first), then by name; successors and
    /// predecessors likewise. A topology that does not validate is described as far as it goes.
    public func describe() -> TopologyDescription {
        var children: [String: [String]] = [:]
        for node in nodes {
            for parent in node.parents { children[parent, default: []].append(node.name) }
        }
        let groups: [[String]]
        if let plan = try? plan() {
            groups = plan.subtopologies.map(\.nodeNames)
        } else {
            groups = [nodes.map(\.name)]
        }
        let byName = Dictionary(nodes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        // Paths starting at each node (itself included): Kafka's "size" of a node.
        var pathCounts: [String: Int] = [:]
        func pathCount(_ name: String, visiting: Set<String> = []) -> Int {
            if let known = pathCounts[name] { return known }
            guard !visiting.contains(name) else { return 1 }
            let count = 1 + (children[name] ?? []).reduce(0) { $0 + pathCount($1, visiting: visiting.union([name])) }
            pathCounts[name] = count
            return count
        }
        func ordered(_ names: [String]) -> [String] {
            names.sorted { a, b in
                let (sizeA, sizeB) = (pathCount(a), pathCount(b))
                if sizeA != sizeB { return sizeA > sizeB }
                return a.utf16.lexicographicallyPrecedes(b.utf16)  // Java's String.compareTo
            }
        }
        var description = TopologyDescription(
            subtopologies: groups.enumerated().map { id, names in
                TopologyDescription.Subtopology(
                    id: id,
                    nodes: ordered(names).compactMap { name in
                        guard let node = byName[name] else { return nil }
                        let kind: TopologyDescription.Node.Kind =
                            switch node.kind {
                            case .source(let topics): .source(topics: topics)
                            case .processor: .processor(stores: node.stores)
                            case .sink(let topic): .sink(topic: topic)
                            }
                        return TopologyDescription.Node(
                            name: name, kind: kind, predecessors: ordered(node.parents),
                            successors: ordered(children[name] ?? []))
                    })
            })
        description.globalStores = globalStores.enumerated().map { index, global in
            TopologyDescription.Subtopology(
                id: groups.count + index,
                nodes: [
                    TopologyDescription.Node(
                        name: global.sourceName, kind: .source(topics: [global.topic]), predecessors: [],
                        successors: [global.processorName]),
                    TopologyDescription.Node(
                        name: global.processorName, kind: .processor(stores: [global.store.name]),
                        predecessors: [global.sourceName], successors: []),
                ])
        }
        return description
    }
}
