/// One node of a task's processor graph, as instantiated for that task.
///
/// Nodes are created per task from the topology's ``NodeDefinition``s and wired once; records then
/// flow depth-first by direct calls between typed nodes: no lookups or boxing per record.
class ProcessorNodeBase {
    let name: String

    init(name: String) {
        self.name = name
    }

    /// Called once per task before the first record, in topological order (parents first).
    func initialize(_ task: TaskContext) throws {}

    /// Called once when the task closes, in topological order.
    func close() throws {}

    /// Attaches a child that takes this node's output. Nodes without output have no children.
    func connect(child: ProcessorNodeBase) throws {
        throw TopologyError.invalidTopology("\(name) has no output, so \(child.name) cannot be its child")
    }

    /// Tells the node which stores the topology connected to it; called once, before
    /// ``initialize(_:)``. Only Processor API nodes use it, to limit `stateStore(named:)`.
    func setConnectedStores(_ stores: [String]) {}

    /// Names of the children, in connection order.
    var childNames: [String] { [] }
}

/// A node that takes records with keys `K` and values `V`.
///
/// Records arrive in parts through ``process(key:value:timestamp:headers:)``. Node code runs
/// unspecialized (nodes are made from generic DSL calls and called through the vtable), and there
/// every use of a `Record<K, V>` costs a lookup of its generic metadata, while `K` and `V` come
/// free with the node's own metadata. Nodes on the hot path override the parts version; the
/// others override ``process(_:)`` and get a `Record` built for them.
class ProcessorNode<K, V>: ProcessorNodeBase {
    /// Handles one record given in parts. By default, builds the record for ``process(_:)``.
    func process(key: K, value: V, timestamp: Int64, headers: RecordHeaders) throws {
        try process(Record(key: key, value: value, timestamp: timestamp, headers: headers))
    }

    /// Handles one record. Subclasses override this or the parts version; this base is never
    /// instantiated on its own.
    func process(_ record: Record<K, V>) throws {
        throw TopologyError.invalidTopology("\(name) does not process records")
    }
}

/// A node that takes `Record<KIn, VIn>` and forwards `Record<KOut, VOut>` to its children.
class ForwardingNode<KIn, VIn, KOut, VOut>: ProcessorNode<KIn, VIn> {
    /// The node's children.
    let downstream = Forwarder<KOut, VOut>()

    override func connect(child: ProcessorNodeBase) throws {
        try downstream.connect(child, parent: name)
    }

    override var childNames: [String] { downstream.children.map(\.name) }
}
