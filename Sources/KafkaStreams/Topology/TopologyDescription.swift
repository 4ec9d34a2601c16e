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

    public var description: String {
        var out = "Topologies:\n"
        for subtopology in subtopologies {
            out += "   Sub-topology: \(subtopology.id)\n"
            for node in subtopology.nodes {
                switch node.kind {
                case .source(let topics):
                    out += "    Source: \(node.name) (topics: [\(topics.joined(separator: ", "))])\n"
                case .processor(let stores):
                    out += "    Processor: \(node.name) (stores: [\(stores.joined(separator: ", "))])\n"
                case .sink(let topic):
                    out += "    Sink: \(node.name) (topic: \(topic))\n"
                }
                if !node.successors.isEmpty { out += "      --> \(node.successors.joined(separator: ", "))\n" }
                if !node.predecessors.isEmpty { out += "      <-- \(node.predecessors.joined(separator: ", "))\n" }
            }
        }
        return out
    }
}

extension Topology {
    /// Describes the topology's subtopologies, sources, processors, stores and sinks.
    ///
    /// A topology that does not validate is described as far as it goes.
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
        let byName = Dictionary(uniqueKeysWithValues: nodes.map { ($0.name, $0) })
        return TopologyDescription(
            subtopologies: groups.enumerated().map { id, names in
                TopologyDescription.Subtopology(
                    id: id,
                    nodes: names.compactMap { name in
                        guard let node = byName[name] else { return nil }
                        let kind: TopologyDescription.Node.Kind =
                            switch node.kind {
                            case .source(let topics): .source(topics: topics)
                            case .processor: .processor(stores: node.stores)
                            case .sink(let topic): .sink(topic: topic)
                            }
                        return TopologyDescription.Node(
                            name: name, kind: kind, predecessors: node.parents,
                            successors: children[name] ?? [])
                    })
            })
    }
}
