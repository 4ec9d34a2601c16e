// The stateless DSL processors. Each is a small node that calls the user's function and
// forwards; kept together because each is a few lines.

final class KStreamFilter<K, V>: ForwardingNode<K, V, K, V> {
    let predicate: @Sendable (K, V) throws -> Bool
    let keep: Bool

    init(name: String, keep: Bool, predicate: @escaping @Sendable (K, V) throws -> Bool) {
        self.predicate = predicate
        self.keep = keep
        super.init(name: name)
    }

    override func process(key: K, value: V, timestamp: Int64, headers: RecordHeaders) throws {
        if try predicate(key, value) == keep {
            try downstream.forward(key: key, value: value, timestamp: timestamp, headers: headers)
        }
    }
}

final class KStreamMap<K, V, KR, VR>: ForwardingNode<K, V, KR, VR> {
    let mapper: @Sendable (K, V) throws -> (KR, VR)

    init(name: String, mapper: @escaping @Sendable (K, V) throws -> (KR, VR)) {
        self.mapper = mapper
        super.init(name: name)
    }

    override func process(key: K, value: V, timestamp: Int64, headers: RecordHeaders) throws {
        let (newKey, newValue) = try mapper(key, value)
        try downstream.forward(key: newKey, value: newValue, timestamp: timestamp, headers: headers)
    }
}

final class KStreamMapValues<K, V, VR>: ForwardingNode<K, V, K, VR> {
    let mapper: @Sendable (K, V) throws -> VR

    init(name: String, mapper: @escaping @Sendable (K, V) throws -> VR) {
        self.mapper = mapper
        super.init(name: name)
    }

    override func process(key: K, value: V, timestamp: Int64, headers: RecordHeaders) throws {
        // The user's function first: evaluated as an argument, after `downstream`, it would make
        // the node copy (retain and release) its forwarder around the call.
        let newValue = try mapper(key, value)
        try downstream.forward(key: key, value: newValue, timestamp: timestamp, headers: headers)
    }
}

/// ``KStreamMapValues`` of a function of the value alone (`mapValues(_:)`): called directly, as
/// wrapping it in a key-taking closure cost a second closure call per record.
final class KStreamMapValuesOfValue<K, V, VR>: ForwardingNode<K, V, K, VR> {
    let mapper: @Sendable (V) throws -> VR

    init(name: String, mapper: @escaping @Sendable (V) throws -> VR) {
        self.mapper = mapper
        super.init(name: name)
    }

    override func process(key: K, value: V, timestamp: Int64, headers: RecordHeaders) throws {
        let newValue = try mapper(value)  // first, as in KStreamMapValues
        try downstream.forward(key: key, value: newValue, timestamp: timestamp, headers: headers)
    }
}

final class KStreamSelectKey<K, V, KR>: ForwardingNode<K, V, KR, V> {
    let selector: @Sendable (K, V) throws -> KR

    init(name: String, selector: @escaping @Sendable (K, V) throws -> KR) {
        self.selector = selector
        super.init(name: name)
    }

    override func process(key: K, value: V, timestamp: Int64, headers: RecordHeaders) throws {
        let newKey = try selector(key, value)  // first, as in KStreamMapValues
        try downstream.forward(key: newKey, value: value, timestamp: timestamp, headers: headers)
    }
}

final class KStreamFlatMap<K, V, KR, VR, S: Sequence>: ForwardingNode<K, V, KR, VR> where S.Element == (KR, VR) {
    let mapper: @Sendable (K, V) throws -> S

    init(name: String, mapper: @escaping @Sendable (K, V) throws -> S) {
        self.mapper = mapper
        super.init(name: name)
    }

    override func process(key: K, value: V, timestamp: Int64, headers: RecordHeaders) throws {
        try forEachElement(of: try mapper(key, value)) { pair in
            try downstream.forward(key: pair.0, value: pair.1, timestamp: timestamp, headers: headers)
        }
    }
}

final class KStreamFlatMapValues<K, V, S: Sequence>: ForwardingNode<K, V, K, S.Element> {
    let mapper: @Sendable (K, V) throws -> S

    init(name: String, mapper: @escaping @Sendable (K, V) throws -> S) {
        self.mapper = mapper
        super.init(name: name)
    }

    override func process(key: K, value: V, timestamp: Int64, headers: RecordHeaders) throws {
        try forEachElement(of: try mapper(key, value)) { newValue in
            try downstream.forward(key: key, value: newValue, timestamp: timestamp, headers: headers)
        }
    }
}

/// `peek` and `foreach`: calls the action, then forwards the record unchanged (to no child, for
/// `foreach`).
final class KStreamPeek<K, V>: ForwardingNode<K, V, K, V> {
    let action: @Sendable (K, V) throws -> Void

    init(name: String, action: @escaping @Sendable (K, V) throws -> Void) {
        self.action = action
        super.init(name: name)
    }

    override func process(key: K, value: V, timestamp: Int64, headers: RecordHeaders) throws {
        try action(key, value)
        try downstream.forward(key: key, value: value, timestamp: timestamp, headers: headers)
    }
}

/// Forwards records unchanged: `merge`, and the null-key filter in front of repartition topics
/// when keys cannot be null.
final class KStreamPassThrough<K, V>: ForwardingNode<K, V, K, V> {
    override func process(key: K, value: V, timestamp: Int64, headers: RecordHeaders) throws {
        try downstream.forward(key: key, value: value, timestamp: timestamp, headers: headers)
    }
}

/// `split`: sends each record to the first branch whose predicate holds (children in branch order),
/// or to the default branch.
final class KStreamBranch<K, V>: ForwardingNode<K, V, K, V> {
    let predicates: [@Sendable (K, V) throws -> Bool]
    let childNamesInOrder: [String]
    let defaultChild: String?

    init(name: String, predicates: [@Sendable (K, V) throws -> Bool], children: [String], defaultChild: String?) {
        self.predicates = predicates
        self.childNamesInOrder = children
        self.defaultChild = defaultChild
        super.init(name: name)
    }

    override func process(key: K, value: V, timestamp: Int64, headers: RecordHeaders) throws {
        for (index, predicate) in predicates.enumerated() where try predicate(key, value) {
            try downstream.forward(
                key: key, value: value, timestamp: timestamp, headers: headers, to: childNamesInOrder[index])
            return
        }
        if let defaultChild {
            try downstream.forward(key: key, value: value, timestamp: timestamp, headers: headers, to: defaultChild)
        }
    }
}

/// Calls `body` on each element, through contiguous storage when the sequence has it (arrays,
/// the usual result of a flat-map). In the nodes' unspecialized code, a sequence's own iterator
/// (`IndexingIterator.next()` through the generic subscript) allocates on the heap per element.
@inline(__always)
private func forEachElement<S: Sequence>(of elements: S, _ body: (S.Element) throws -> Void) rethrows {
    let done: Void? = try elements.withContiguousStorageIfAvailable { buffer in
        for index in buffer.indices { try body(buffer[index]) }
    }
    if done == nil { try forEachIterated(elements, body) }
}

/// The other sequences' way. Not inlined, so that the common path does not pay for this one's
/// generic metadata.
@inline(never)
private func forEachIterated<S: Sequence>(_ elements: S, _ body: (S.Element) throws -> Void) rethrows {
    for element in elements { try body(element) }
}
