// The table DSL processors: records carry `Change<V>` (new and old value) so that downstream
// aggregations can subtract what a key no longer contributes.

/// Materializes a stream of upserts (`table()` sources and `toTable()`): stores the value, or
/// deletes on null, and forwards the change.
///
/// `VIn` is what the node reads: `V?` for `table()` sources, `V` itself for `toTable()`, where a
/// value of optional type that is `nil` deletes (`toUpsert` says which).
final class KTableSource<K, VIn, V>: ForwardingNode<K, VIn, K, Change<V>> {
    let storeName: String
    let keySerde: Serde<K>
    let valueSerde: Serde<V>
    let keyIsNull: (@Sendable (K) -> Bool)?
    let toUpsert: @Sendable (VIn) -> V?
    private var store: TimestampedKeyValueStore<K, V>?
    /// Set when the store is cached: results are forwarded when the cache flushes.
    private var forwardsOnFlush = false
    private unowned let task: TaskContext

    init(
        name: String, storeName: String, key: Serde<K>, value: Serde<V>, task: TaskContext,
        toUpsert: @escaping @Sendable (VIn) -> V?
    ) {
        self.storeName = storeName
        self.keySerde = key
        self.valueSerde = value
        self.keyIsNull = nullCheck(K.self)
        self.toUpsert = toUpsert
        self.task = task
        super.init(name: name)
    }

    override func initialize(_ task: TaskContext) throws {
        let store = try task.timestampedStore(storeName, key: keySerde, value: valueSerde)
        self.store = store
        forwardsOnFlush = store.forwardFlushedChanges { [unowned self] in try self.downstream.forward($0) }
    }

    override func process(_ record: Record<K, VIn>) throws {
        if keyIsNull?(record.key) == true {
            task.droppedRecords += 1
            task.logger.debug("skipping a table update with a null key", metadata: ["node": "\(name)"])
            return
        }
        guard let store else { return }
        let value = toUpsert(record.value)
        let old = try store.get(record.key)
        if let old, record.timestamp < old.timestamp {
            task.logger.debug("out-of-order table update", metadata: ["node": "\(name)"])
        }
        try store.put(record.key, value, timestamp: record.timestamp)
        if forwardsOnFlush { return }
        try downstream.forward(record.withValue(Change(newValue: value, oldValue: old?.value)))
    }
}

extension KTableSource where VIn == V? {
    /// The source of `table()`: Kafka's null (`nil`) deletes.
    convenience init(name: String, storeName: String, key: Serde<K>, value: Serde<V>, task: TaskContext) {
        self.init(name: name, storeName: storeName, key: key, value: value, task: task, toUpsert: { $0 })
    }
}

extension KTableSource where VIn == V {
    /// The node of `toTable()`: a value of optional type that is `nil` deletes.
    convenience init(upsertsOf name: String, storeName: String, key: Serde<K>, value: Serde<V>, task: TaskContext) {
        // Decided once per node: values of a non-optional type are never deletes.
        let toUpsert: @Sendable (V) -> V?
        if let isNull = nullCheck(V.self) {
            toUpsert = { value in isNull(value) ? nil : value }
        } else {
            toUpsert = { $0 }
        }
        self.init(name: name, storeName: storeName, key: key, value: value, task: task, toUpsert: toUpsert)
    }
}

/// `filter` / `filterNot` of a table: a value that fails the predicate becomes absent.
final class KTableFilter<K, V>: ForwardingNode<K, Change<V>, K, Change<V>> {
    let predicate: @Sendable (K, V) throws -> Bool
    let keep: Bool
    let materialized: (name: String, key: Serde<K>, value: Serde<V>)?
    private var store: TimestampedKeyValueStore<K, V>?
    /// Set when the store is cached: results are forwarded when the cache flushes.
    private var forwardsOnFlush = false

    init(
        name: String, keep: Bool, materialized: (name: String, key: Serde<K>, value: Serde<V>)?,
        predicate: @escaping @Sendable (K, V) throws -> Bool
    ) {
        self.predicate = predicate
        self.keep = keep
        self.materialized = materialized
        super.init(name: name)
    }

    override func initialize(_ task: TaskContext) throws {
        if let materialized {
            let store = try task.timestampedStore(materialized.name, key: materialized.key, value: materialized.value)
            self.store = store
            forwardsOnFlush = store.forwardFlushedChanges { [unowned self] in try self.downstream.forward($0) }
        }
    }

    private func apply(_ key: K, _ value: V?) throws -> V? {
        guard let value else { return nil }
        return try predicate(key, value) == keep ? value : nil
    }

    override func process(_ record: Record<K, Change<V>>) throws {
        let newValue = try apply(record.key, record.value.newValue)
        let oldValue = try apply(record.key, record.value.oldValue)
        // Nothing passed before or after: downstream saw nothing of this key and needs nothing.
        if newValue == nil && oldValue == nil { return }
        try store?.put(record.key, newValue, timestamp: record.timestamp)
        if forwardsOnFlush { return }
        try downstream.forward(record.withValue(Change(newValue: newValue, oldValue: oldValue)))
    }
}

/// `mapValues` of a table: maps new and old values alike.
final class KTableMapValues<K, V, VR>: ForwardingNode<K, Change<V>, K, Change<VR>> {
    let mapper: @Sendable (K, V) throws -> VR
    let materialized: (name: String, key: Serde<K>, value: Serde<VR>)?
    private var store: TimestampedKeyValueStore<K, VR>?
    /// Set when the store is cached: results are forwarded when the cache flushes.
    private var forwardsOnFlush = false

    init(
        name: String, materialized: (name: String, key: Serde<K>, value: Serde<VR>)?,
        mapper: @escaping @Sendable (K, V) throws -> VR
    ) {
        self.mapper = mapper
        self.materialized = materialized
        super.init(name: name)
    }

    override func initialize(_ task: TaskContext) throws {
        if let materialized {
            let store = try task.timestampedStore(materialized.name, key: materialized.key, value: materialized.value)
            self.store = store
            forwardsOnFlush = store.forwardFlushedChanges { [unowned self] in try self.downstream.forward($0) }
        }
    }

    override func process(_ record: Record<K, Change<V>>) throws {
        let newValue = try record.value.newValue.map { try mapper(record.key, $0) }
        let oldValue = try record.value.oldValue.map { try mapper(record.key, $0) }
        try store?.put(record.key, newValue, timestamp: record.timestamp)
        if forwardsOnFlush { return }
        try downstream.forward(record.withValue(Change(newValue: newValue, oldValue: oldValue)))
    }
}

/// `toStream`: the table's updates as a stream; deletes are `nil` values.
final class KTableToStream<K, V>: ForwardingNode<K, Change<V>, K, V?> {
    override func process(_ record: Record<K, Change<V>>) throws {
        try downstream.forward(record.withValue(record.value.newValue))
    }
}

/// `groupBy` of a table: re-keys each change; the old value is sent (to be subtracted) under its
/// old key and the new value (to be added) under its new key, old first.
final class KTableRepartitionMap<K, V, KR, VR>: ForwardingNode<K, Change<V>, KR, Change<VR>> {
    let selector: @Sendable (K, V) throws -> (KR, VR)
    let keyIsNull: (@Sendable (KR) -> Bool)?
    let valueIsNull: (@Sendable (VR) -> Bool)?

    init(name: String, selector: @escaping @Sendable (K, V) throws -> (KR, VR)) {
        self.selector = selector
        self.keyIsNull = nullCheck(KR.self)
        self.valueIsNull = nullCheck(VR.self)
        super.init(name: name)
    }

    private func select(_ key: K, _ value: V?) throws -> (KR, VR)? {
        guard let value else { return nil }
        let pair = try selector(key, value)
        if keyIsNull?(pair.0) == true || valueIsNull?(pair.1) == true { return nil }
        return pair
    }

    override func process(_ record: Record<K, Change<V>>) throws {
        let oldPair = try select(record.key, record.value.oldValue)
        let newPair = try select(record.key, record.value.newValue)
        if let (key, value) = oldPair {
            try downstream.forward(
                Record(key: key, value: Change(newValue: nil, oldValue: value), timestamp: record.timestamp,
                       headers: record.headers))
        }
        if let (key, value) = newPair {
            try downstream.forward(
                Record(key: key, value: Change(newValue: value, oldValue: nil), timestamp: record.timestamp,
                       headers: record.headers))
        }
    }
}

/// `count`, `reduce` and `aggregate` of a grouped table: subtracts the old value, adds the new one.
final class KTableAggregate<K, V, VA>: ForwardingNode<K, Change<V>, K, Change<VA>> {
    let initializer: @Sendable () throws -> VA?
    let adder: @Sendable (K, V, VA?) throws -> VA
    let subtractor: @Sendable (K, V, VA) throws -> VA
    let storeName: String
    let keySerde: Serde<K>
    let aggregateSerde: Serde<VA>
    private var store: TimestampedKeyValueStore<K, VA>?
    /// Set when the store is cached: results are forwarded when the cache flushes.
    private var forwardsOnFlush = false

    /// - Parameters:
    ///   - adder: Adds a value to the aggregate (`nil` when the key has none yet).
    ///   - subtractor: Removes a value from an existing aggregate.
    init(
        name: String, storeName: String, key: Serde<K>, aggregate: Serde<VA>,
        adder: @escaping @Sendable (K, V, VA?) throws -> VA,
        subtractor: @escaping @Sendable (K, V, VA) throws -> VA,
        initializer: @escaping @Sendable () throws -> VA? = { nil }
    ) {
        self.adder = adder
        self.subtractor = subtractor
        self.initializer = initializer
        self.storeName = storeName
        self.keySerde = key
        self.aggregateSerde = aggregate
        super.init(name: name)
    }

    override func initialize(_ task: TaskContext) throws {
        let store = try task.timestampedStore(storeName, key: keySerde, value: aggregateSerde)
        self.store = store
        forwardsOnFlush = store.forwardFlushedChanges { [unowned self] in try self.downstream.forward($0) }
    }

    override func process(_ record: Record<K, Change<V>>) throws {
        guard let store else { return }
        let old = try store.get(record.key)
        var aggregate = old?.value
        if let oldValue = record.value.oldValue, let current = aggregate {
            aggregate = try subtractor(record.key, oldValue, current)
        }
        if let newValue = record.value.newValue {
            aggregate = try adder(record.key, newValue, aggregate ?? initializer())
        }
        let timestamp = max(record.timestamp, old?.timestamp ?? record.timestamp)
        try store.put(record.key, aggregate, timestamp: timestamp)
        if forwardsOnFlush { return }
        try downstream.forward(
            Record(key: record.key, value: Change(newValue: aggregate, oldValue: old?.value), timestamp: timestamp,
                   headers: record.headers))
    }
}
