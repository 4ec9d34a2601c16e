/// A validated, immutable topology: what tasks are made from, shared by all stream threads.
struct TopologyPlan: Sendable {
    let nodes: [NodeDefinition]
    let nodeIndex: [String: Int]
    let stores: [String: StoreDefinition]
    let subtopologies: [Subtopology]
    /// Repartition and changelog topics, by their name without the application id.
    let internalTopics: [String: InternalTopic]
    /// Which subtopology reads each source topic (internal topics by unprefixed name).
    let subtopologyByTopic: [String: Int]
    /// Sets of source topics that must have the same partition count (the inputs of joins).
    var copartitionGroups: [Set<String>] = []
    /// Global tables, each fed from a whole topic by the global thread (not by tasks).
    var globalStores: [GlobalStoreDefinition] = []

    /// Source topics the user provides (not internal).
    var externalSourceTopics: [String] {
        subtopologies.flatMap(\.sourceTopics).filter { internalTopics[$0] == nil }
    }

    func node(_ name: String) -> NodeDefinition? {
        nodeIndex[name].map { nodes[$0] }
    }
}

/// A connected part of a topology: processors that share records or stores. Repartition topics
/// cut a topology into subtopologies; each runs as its own tasks.
struct Subtopology: Sendable {
    let id: Int
    /// Node names in an order where parents come before children.
    let nodeNames: [String]
    let sourceTopics: [String]
    let sinkTopics: [String]
    let storeNames: [String]
}
