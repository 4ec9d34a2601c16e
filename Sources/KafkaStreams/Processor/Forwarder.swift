/// The typed children of a node, and forwarding to them.
///
/// Children are kept as ``ProcessorNodeBase`` and cast unchecked when called (their type is
/// checked once, in ``connect(_:parent:)``): an array of `ProcessorNode<K, V>` would have its
/// generic metadata looked up on every forward in the nodes' unspecialized code.
///
/// A class, held by its node in a `let`: as a struct in a node's `var`, every forward copied it
/// (retaining and releasing its array) around the child's call, which as far as the compiler
/// knows could change it.
final class Forwarder<K, V> {
    // Unchecked: children are connected before the first record and a task's nodes run on one
    // thread, so a dynamic exclusivity check per forward buys nothing.
    @exclusivity(unchecked) private(set) var children: [ProcessorNodeBase] = []
    /// The child when there is exactly one (most nodes), unretained: `children` keeps it alive.
    /// Calling through the array retains the child around the call.
    @exclusivity(unchecked) private var onlyChild: Unmanaged<ProcessorNodeBase>?

    func connect(_ child: ProcessorNodeBase, parent: String) throws {
        guard child is ProcessorNode<K, V> else {
            throw TopologyError.invalidTopology(
                "\(child.name) cannot follow \(parent): \(parent) forwards Record<\(K.self), \(V.self)>")
        }
        children.append(child)
        onlyChild = children.count == 1 ? Unmanaged.passUnretained(child) : nil
    }

    /// Sends a record, given in parts, to every child, depth-first, in connection order.
    @inline(__always)
    func forward(key: K, value: V, timestamp: Int64, headers: RecordHeaders) throws {
        if let onlyChild {
            try onlyChild._withUnsafeGuaranteedRef { try deliver(key, value, timestamp, headers, to: $0) }
            return
        }
        for child in children {
            try deliver(key, value, timestamp, headers, to: child)
        }
    }

    /// Sends a record to every child, depth-first, in connection order.
    @inline(__always)
    func forward(_ record: Record<K, V>) throws {
        try forward(key: record.key, value: record.value, timestamp: record.timestamp, headers: record.headers)
    }

    /// Sends a record, given in parts, to the child with this name only.
    func forward(key: K, value: V, timestamp: Int64, headers: RecordHeaders, to childName: String) throws {
        guard let child = children.first(where: { $0.name == childName }) else {
            throw TopologyError.invalidTopology("no child named \(childName)")
        }
        try deliver(key, value, timestamp, headers, to: child)
    }

    /// Sends a record to the child with this name only.
    func forward(_ record: Record<K, V>, to childName: String) throws {
        try forward(
            key: record.key, value: record.value, timestamp: record.timestamp, headers: record.headers, to: childName)
    }

    /// Processes a record in a child; what the child throws is tagged with its name (see
    /// ``NodeFailure``).
    @inline(__always)
    private func deliver(
        _ key: K, _ value: V, _ timestamp: Int64, _ headers: RecordHeaders, to child: ProcessorNodeBase
    ) throws {
        do {
            try unsafeDowncast(child, to: ProcessorNode<K, V>.self)
                .process(key: key, value: value, timestamp: timestamp, headers: headers)
        } catch let failure as NodeFailure {
            throw failure
        } catch {
            throw NodeFailure(node: child.name, underlying: error)
        }
    }
}
