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

    override func process(_ record: Record<K, V>) throws {
        if try predicate(record.key, record.value) == keep { try downstream.forward(record) }
    }
}

final class KStreamMap<K, V, KR, VR>: ForwardingNode<K, V, KR, VR> {
    let mapper: @Sendable (K, V) throws -> (KR, VR)

    init(name: String, mapper: @escaping @Sendable (K, V) throws -> (KR, VR)) {
        self.mapper = mapper
        super.init(name: name)
    }

    override func process(_ record: Record<K, V>) throws {
        let (key, value) = try mapper(record.key, record.value)
        try downstream.forward(Record(key: key, value: value, timestamp: record.timestamp, headers: record.headers))
    }
}

final class KStreamMapValues<K, V, VR>: ForwardingNode<K, V, K, VR> {
    let mapper: @Sendable (K, V) throws -> VR

    init(name: String, mapper: @escaping @Sendable (K, V) throws -> VR) {
        self.mapper = mapper
        super.init(name: name)
    }

    override func process(_ record: Record<K, V>) throws {
        try downstream.forward(record.withValue(try mapper(record.key, record.value)))
    }
}

final class KStreamSelectKey<K, V, KR>: ForwardingNode<K, V, KR, V> {
    let selector: @Sendable (K, V) throws -> KR

    init(name: String, selector: @escaping @Sendable (K, V) throws -> KR) {
        self.selector = selector
        super.init(name: name)
    }

    override func process(_ record: Record<K, V>) throws {
        try downstream.forward(record.withKey(try selector(record.key, record.value)))
    }
}

final class KStreamFlatMap<K, V, KR, VR, S: Sequence>: ForwardingNode<K, V, KR, VR> where S.Element == (KR, VR) {
    let mapper: @Sendable (K, V) throws -> S

    init(name: String, mapper: @escaping @Sendable (K, V) throws -> S) {
        self.mapper = mapper
        super.init(name: name)
    }

    override func process(_ record: Record<K, V>) throws {
        for (key, value) in try mapper(record.key, record.value) {
            try downstream.forward(Record(key: key, value: value, timestamp: record.timestamp, headers: record.headers))
        }
    }
}

final class KStreamFlatMapValues<K, V, S: Sequence>: ForwardingNode<K, V, K, S.Element> {
    let mapper: @Sendable (K, V) throws -> S

    init(name: String, mapper: @escaping @Sendable (K, V) throws -> S) {
        self.mapper = mapper
        super.init(name: name)
    }

    override func process(_ record: Record<K, V>) throws {
        for value in try mapper(record.key, record.value) {
            try downstream.forward(record.withValue(value))
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

    override func process(_ record: Record<K, V>) throws {
        try action(record.key, record.value)
        try downstream.forward(record)
    }
}

/// Forwards records unchanged: `merge`, and the null-key filter in front of repartition topics
/// when keys cannot be null.
final class KStreamPassThrough<K, V>: ForwardingNode<K, V, K, V> {
    override func process(_ record: Record<K, V>) throws {
        try downstream.forward(record)
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

    override func process(_ record: Record<K, V>) throws {
        for (index, predicate) in predicates.enumerated() where try predicate(record.key, record.value) {
            try downstream.forward(record, to: childNamesInOrder[index])
            return
        }
        if let defaultChild { try downstream.forward(record, to: defaultChild) }
    }
}
