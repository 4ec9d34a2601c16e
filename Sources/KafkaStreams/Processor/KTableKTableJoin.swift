import Logging

/// Which rows of a table-table join exist, as seen from one side's changes.
enum KTableJoinKind: Sendable {
    /// Both rows must exist.
    case inner
    /// This side's row must exist (the left side of a left join).
    case left
    /// The other side's row must exist (the right side of a left join).
    case right
    /// Either row.
    case outer
}

/// One side of a table-table join (Kafka Streams' `KTableKTableInnerJoin`, `...LeftJoin`,
/// `...RightJoin` and `...OuterJoin` processors): for each change of this side's table, looks up
/// the other table's current value and forwards the change of the join result, new and old.
///
/// `joiner` is in this side's orientation (the DSL reverses it for the right side). Results get
/// the larger of the two rows' timestamps.
final class KTableKTableJoinNode<K, V1, V2, VOut>: ForwardingNode<K, Change<V1>, K, Change<VOut>> {
    let kind: KTableJoinKind
    let getterSupplier: KTableValueGetterSupplier<K, V2>
    let joiner: @Sendable (V1?, V2?) throws -> VOut
    private let keyIsNull: (@Sendable (K) -> Bool)?
    private var getter: KTableValueGetter<K, V2>?
    private unowned var task: TaskContext?

    init(
        name: String, kind: KTableJoinKind, other: KTableValueGetterSupplier<K, V2>,
        joiner: @escaping @Sendable (V1?, V2?) throws -> VOut
    ) {
        self.kind = kind
        self.getterSupplier = other
        self.joiner = joiner
        self.keyIsNull = nullCheck(K.self)
        super.init(name: name)
    }

    override func initialize(_ task: TaskContext) throws {
        self.task = task
        getter = try getterSupplier.make(task)
    }

    override func process(_ record: Record<K, Change<V1>>) throws {
        if keyIsNull?(record.key) == true {
            if let task {
                task.droppedRecords += 1
                task.logger.warning("skipping a table-table join update with a null key", metadata: ["node": "\(name)"])
            }
            return
        }
        let other = try getter?.get(record.key)
        let change = record.value
        var newValue: VOut?
        var oldValue: VOut?
        let timestamp: Int64
        switch kind {
        case .inner:
            guard let other else { return }
            timestamp = max(record.timestamp, other.timestamp)
            if let new = change.newValue { newValue = try joiner(new, other.value) }
            if let old = change.oldValue { oldValue = try joiner(old, other.value) }
        case .left:
            if other == nil && change.newValue == nil && change.oldValue == nil { return }
            timestamp = max(record.timestamp, other?.timestamp ?? TaskContext.unknownTime)
            if let new = change.newValue { newValue = try joiner(new, other?.value) }
            if let old = change.oldValue { oldValue = try joiner(old, other?.value) }
        case .right:
            // The other side is the left table: its row decides whether the result exists.
            guard let other else { return }
            timestamp = max(record.timestamp, other.timestamp)
            newValue = try joiner(change.newValue, other.value)
            oldValue = try joiner(change.oldValue, other.value)
        case .outer:
            if other == nil && change.newValue == nil && change.oldValue == nil { return }
            timestamp = other.map { max(record.timestamp, $0.timestamp) } ?? record.timestamp
            if other != nil || change.newValue != nil { newValue = try joiner(change.newValue, other?.value) }
            if other != nil || change.oldValue != nil { oldValue = try joiner(change.oldValue, other?.value) }
        }
        try downstream.forward(
            Record(
                key: record.key, value: Change(newValue: newValue, oldValue: oldValue), timestamp: timestamp,
                headers: record.headers))
    }
}

/// Merges the two sides of a table-table join into the result table, and materializes it when
/// asked (Kafka Streams' `KTableKTableJoinMerger`).
final class KTableKTableJoinMergerNode<K, V>: ForwardingNode<K, Change<V>, K, Change<V>> {
    let materialized: (name: String, key: Serde<K>, value: Serde<V>)?
    private var store: TimestampedKeyValueStore<K, V>?
    /// Set when the store is cached: results are forwarded when the cache flushes.
    private var forwardsOnFlush = false

    init(name: String, materialized: (name: String, key: Serde<K>, value: Serde<V>)?) {
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
        try store?.put(record.key, record.value.newValue, timestamp: record.timestamp)
        if forwardsOnFlush { return }
        try downstream.forward(record)
    }
}

extension KTableValueGetterSupplier {
    /// The current value of a table-table join result without a store of its own, computed
    /// from both sides (Kafka Streams' join value getters).
    static func join<V1, V2>(
        _ kind: KTableJoinKind, _ left: KTableValueGetterSupplier<K, V1>,
        _ right: KTableValueGetterSupplier<K, V2>, joiner: @escaping @Sendable (V1?, V2?) throws -> V
    ) -> Self {
        var stores = left.storeNames
        for store in right.storeNames where !stores.contains(store) { stores.append(store) }
        return KTableValueGetterSupplier(storeNames: stores) { task in
            let leftGetter = try left.make(task)
            let rightGetter = try right.make(task)
            return KTableValueGetter(get: { key in
                switch kind {
                case .inner:
                    guard let one = try leftGetter.get(key), let two = try rightGetter.get(key) else { return nil }
                    return ValueAndTimestamp(value: try joiner(one.value, two.value), timestamp: max(one.timestamp, two.timestamp))
                case .left:
                    guard let one = try leftGetter.get(key) else { return nil }
                    let two = try rightGetter.get(key)
                    return ValueAndTimestamp(
                        value: try joiner(one.value, two?.value), timestamp: max(one.timestamp, two?.timestamp ?? one.timestamp))
                case .right:
                    guard let two = try rightGetter.get(key) else { return nil }
                    let one = try leftGetter.get(key)
                    return ValueAndTimestamp(
                        value: try joiner(one?.value, two.value), timestamp: max(two.timestamp, one?.timestamp ?? two.timestamp))
                case .outer:
                    let one = try leftGetter.get(key)
                    let two = try rightGetter.get(key)
                    guard one != nil || two != nil else { return nil }
                    return ValueAndTimestamp(
                        value: try joiner(one?.value, two?.value),
                        timestamp: max(one?.timestamp ?? TaskContext.unknownTime, two?.timestamp ?? TaskContext.unknownTime))
                }
            })
        }
    }
}
