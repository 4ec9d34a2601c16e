/// How one node of a topology is made for each task, and where it sits in the graph.
struct NodeDefinition: Sendable {
    enum Kind: Sendable, Equatable {
        case source(topics: [String])
        case processor
        case sink(topic: String)
    }

    let name: String
    let kind: Kind
    var parents: [String]
    /// Stores this node uses (connected with ``Topology/connectProcessorAndStateStores(_:stores:)`` or by the DSL).
    var stores: [String]
    /// `Record<K, V>` of the input, as an identity for type checks and a name for messages.
    let inputType: RecordType?
    /// `Record<K, V>` of the output; `nil` for sinks.
    let outputType: RecordType?
    /// Makes the node's instance for one task.
    let make: @Sendable (TaskContext) throws -> ProcessorNodeBase
}

/// The identity and printable name of a `Record<K, V>` type.
struct RecordType: Sendable, Equatable {
    let id: ObjectIdentifier
    let name: String

    init<K, V>(_: Record<K, V>.Type) {
        self.id = ObjectIdentifier(Record<K, V>.self)
        self.name = "Record<\(K.self), \(V.self)>"
    }

    static func == (lhs: RecordType, rhs: RecordType) -> Bool { lhs.id == rhs.id }
}
