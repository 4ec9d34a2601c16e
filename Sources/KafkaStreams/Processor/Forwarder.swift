/// The typed children of a node, and forwarding to them.
struct Forwarder<K, V> {
    private(set) var children: [ProcessorNode<K, V>] = []

    mutating func connect(_ child: ProcessorNodeBase, parent: String) throws {
        guard let typed = child as? ProcessorNode<K, V> else {
            throw TopologyError.invalidTopology(
                "\(child.name) cannot follow \(parent): \(parent) forwards Record<\(K.self), \(V.self)>")
        }
        children.append(typed)
    }

    /// Sends a record to every child, depth-first, in connection order.
    @inline(__always)
    func forward(_ record: Record<K, V>) throws {
        if children.count == 1 {
            try deliver(record, to: children[0])
            return
        }
        for child in children {
            try deliver(record, to: child)
        }
    }

    /// Sends a record to the child with this name only.
    func forward(_ record: Record<K, V>, to childName: String) throws {
        guard let child = children.first(where: { $0.name == childName }) else {
            throw TopologyError.invalidTopology("no child named \(childName)")
        }
        try deliver(record, to: child)
    }

    /// Processes a record in a child; what the child throws is tagged with its name (see
    /// ``NodeFailure``).
    @inline(__always)
    private func deliver(_ record: Record<K, V>, to child: ProcessorNode<K, V>) throws {
        do {
            try child.process(record)
        } catch let failure as NodeFailure {
            throw failure
        } catch {
            throw NodeFailure(node: child.name, underlying: error)
        }
    }
}
