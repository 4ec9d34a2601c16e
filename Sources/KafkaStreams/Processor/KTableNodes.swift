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

    override func process(key: K, value input: VIn, timestamp: Int64, headers: RecordHeaders) throws {
        if keyIsNull?(key) == true {
            task.droppedRecords += 1
            task.logger.debug("skipping a table update with a null key", metadata: ["node": "\(name)"])
            return
        }
        guard let store else { return }
        let value = toUpsert(input)
        let old = try store.get(key)
        if let old, timestamp < old.timestamp {
            task.logger.debug("out-of-order table update", metadata: ["node": "\(name)"])
        }
        try store.put(key, value, timestamp: timestamp)
        if forwardsOnFlush { return }
        try downstream.forward(
            key: key, value: Change(newValue: value, oldValue: old?.value), timestamp: timestamp, headers: headers)
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

    override func process(key: K, value change: Change<V>, timestamp: Int64, headers: RecordHeaders) throws {
        let newValue = try apply(key, change.newValue)
        let oldValue = try apply(key, change.oldValue)
        // Nothing passed before or after: downstream saw nothing of this key and needs nothing.
        if newValue == nil && oldValue == nil { return }
        try store?.put(key, newValue, timestamp: timestamp)
        if forwardsOnFlush { return }
        try downstream.forward(
            key: key, value: Change(newValue: newValue, oldValue: oldValue), timestamp: timestamp, headers: headers)
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

    override func process(key: K, value change: Change<V>, timestamp: Int64, headers: RecordHeaders) throws {
        let newValue = try change.newValue.map { try mapper(key, $0) }
        let oldValue = try change.oldValue.map { try mapper(key, $0) }
        try store?.put(key, newValue, timestamp: timestamp)
        if forwardsOnFlush { return }
        try downstream.forward(
            key: key, value: Change(newValue: newValue, oldValue: oldValue), timestamp: timestamp, headers: headers)
    }
}

/// `toStream`: the table's updates as a stream; deletes are `nil` values.
final class KTableToStream<K, V>: ForwardingNode<K, Change<V>, K, V?> {
    override func process(key: K, value: Change<V>, timestamp: Int64, headers: RecordHeaders) throws {
        try downstream.forward(key: key, value: value.newValue, timestamp: timestamp, headers: headers)
    }

    /// What ``process(key:value:timestamp:headers:)`` does with a change whose new value is
    /// `newValue`, for an aggregation that skips building the change (``KStreamAggregate``).
    @inline(__always)
    func forwardNewValue(key: K, _ newValue: V?, timestamp: Int64, headers: RecordHeaders) throws {
        try downstream.forward(key: key, value: newValue, timestamp: timestamp, headers: headers)
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

    override func process(key: K, value change: Change<V>, timestamp: Int64, headers: RecordHeaders) throws {
        let oldPair = try select(key, change.oldValue)
        let newPair = try select(key, change.newValue)
        if let (oldKey, oldValue) = oldPair {
            try downstream.forward(
                key: oldKey, value: Change(newValue: nil, oldValue: oldValue), timestamp: timestamp, headers: headers)
        }
        if let (newKey, newValue) = newPair {
            try downstream.forward(
                key: newKey, value: Change(newValue: newValue, oldValue: nil), timestamp: timestamp, headers: headers)
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

    override func process(key: K, value change: Change<V>, timestamp: Int64, headers: RecordHeaders) throws {
        guard let store else { return }
        let old = try store.get(key)
        var aggregate = old?.value
        if let oldValue = change.oldValue, let current = aggregate {
            aggregate = try subtractor(key, oldValue, current)
        }
        if let newValue = change.newValue {
            aggregate = try adder(key, newValue, aggregate ?? initializer())
        }
        let resultTimestamp = max(timestamp, old?.timestamp ?? timestamp)
        try store.put(key, aggregate, timestamp: resultTimestamp)
        if forwardsOnFlush { return }
        try downstream.forward(
            key: key, value: Change(newValue: aggregate, oldValue: old?.value), timestamp: resultTimestamp,
            headers: headers)
    }
}
