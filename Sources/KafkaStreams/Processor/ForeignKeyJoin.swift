import Logging

// The processors of a foreign-key table join (KIP-213, Kafka Streams' `foreignkeyjoin`
// package). The primary (left) table subscribes each row to its foreign key through a
// subscription topic partitioned like the foreign table; the foreign side keeps subscriptions
// in a store, answers each one, and answers again all subscribers of a foreign key when its
// row changes, through a response topic partitioned like the primary table; the primary side
// joins each answer with its current row, dropping answers to values it no longer has.

/// Sends a subscription for every change of a primary row (Kafka's `SubscriptionSendProcessorSupplier`):
/// to the new foreign key, and a deletion to the old one when the foreign key changed.
///
/// Subscriptions are keyed by `KO?`: a left join also sends one with a null key (a row without
/// foreign key, or a deleted row), to be answered with nothing.
final class SubscriptionSendNode<K, V, KO>: ForwardingNode<K, Change<V>, KO?, SubscriptionWrapper<K>> {
    let foreignKeyExtractor: @Sendable (V) throws -> KO
    let foreignKeySerde: Serde<KO>
    let valueSerde: Serde<V>
    let leftJoin: Bool
    private let foreignKeyIsNull: (@Sendable (KO) -> Bool)?
    private unowned var task: TaskContext?
    private var buffer: [UInt8] = []

    init(
        name: String, foreignKeyExtractor: @escaping @Sendable (V) throws -> KO, foreignKey: Serde<KO>, value: Serde<V>,
        leftJoin: Bool
    ) {
        self.foreignKeyExtractor = foreignKeyExtractor
        self.foreignKeySerde = foreignKey
        self.valueSerde = value
        self.leftJoin = leftJoin
        self.foreignKeyIsNull = nullCheck(KO.self)
        super.init(name: name)
    }

    override func initialize(_ task: TaskContext) throws {
        self.task = task
    }

    override func process(_ record: Record<K, Change<V>>) throws {
        let change = record.value
        let hash = try change.newValue.map { try valueHash($0) }
        let oldForeignKey = try change.oldValue.map(foreignKeyExtractor)
        let newForeignKey = try change.newValue.map(foreignKeyExtractor)
        if leftJoin {
            if let oldForeignKey {
                if !isNull(oldForeignKey), try !sameKey(oldForeignKey, newForeignKey) {
                    try send(record, to: oldForeignKey, .deleteKeyAndPropagate, hash)
                }
                try send(record, to: newForeignKey, .propagateNullIfNoForeignValue, hash)
            } else if let newForeignKey {
                try send(record, to: newForeignKey, .propagateNullIfNoForeignValue, hash)
            }
            return
        }
        if let oldForeignKey {
            guard !isNull(oldForeignKey) else { return skipNullForeignKey() }
            if let newForeignKey {
                guard !isNull(newForeignKey) else { return skipNullForeignKey() }
                if try !sameKey(oldForeignKey, newForeignKey) {
                    // The row moved: the old foreign key forgets it; the new one answers, with
                    // nothing if it has no row, which also retracts the old result.
                    try send(record, to: oldForeignKey, .deleteKeyNoPropagate, hash)
                }
                try send(record, to: newForeignKey, .propagateNullIfNoForeignValue, hash)
            } else {
                try send(record, to: oldForeignKey, .deleteKeyAndPropagate, hash)
            }
        } else if let newForeignKey {
            guard !isNull(newForeignKey) else { return skipNullForeignKey() }
            try send(record, to: newForeignKey, .propagateOnlyIfForeignValue, hash)
        }
    }

    /// Sends a subscription keyed by `foreignKey` (`nil`: a deleted row's missing key, sent as null).
    private func send(
        _ record: Record<K, Change<V>>, to foreignKey: KO?, _ instruction: SubscriptionInstruction,
        _ hash: (UInt64, UInt64)?
    ) throws {
        let wrapper = SubscriptionWrapper(
            hash: hash, instruction: instruction, primaryKey: record.key,
            primaryPartition: task?.recordMetadata?.partition ?? task?.taskID.partition)
        try downstream.forward(Record(key: foreignKey, value: wrapper, timestamp: record.timestamp, headers: record.headers))
    }

    private func isNull(_ key: KO) -> Bool { foreignKeyIsNull?(key) ?? false }

    private func sameKey(_ one: KO, _ other: KO?) throws -> Bool {
        guard let other else { return false }
        return try foreignKeySerde.serialize(one) == foreignKeySerde.serialize(other)
    }

    private func valueHash(_ value: V) throws -> (UInt64, UInt64) {
        _ = try valueSerde.serialize(value, into: &buffer)
        return Murmur3.hash128(buffer)
    }

    private func skipNullForeignKey() {
        guard let task else { return }
        task.droppedRecords += 1
        task.logger.warning("skipping a record with a null foreign key", metadata: ["node": "\(name)"])
    }
}

/// Stores subscriptions by foreign and primary key, and passes each on to be answered
/// (Kafka's `SubscriptionReceiveProcessorSupplier`).
final class SubscriptionReceiveNode<KO, K>: ForwardingNode<KO?, SubscriptionWrapper<K>, CombinedKey<KO?, K>, SubscriptionWrapper<K>> {
    let subscriptions: SubscriptionStore<KO, K>
    private var store: TimestampedKeyValueStore<[UInt8], SubscriptionWrapper<K>>?
    private unowned var task: TaskContext?

    init(name: String, storeName: String, foreignKey: Serde<KO>, primaryKey: Serde<K>) {
        self.subscriptions = SubscriptionStore(name: storeName, foreignKey: foreignKey, primaryKey: primaryKey)
        super.init(name: name)
    }

    override func initialize(_ task: TaskContext) throws {
        self.task = task
        store = try subscriptions.open(in: task)
    }

    override func process(_ record: Record<KO?, SubscriptionWrapper<K>>) throws {
        let wrapper = record.value
        if let foreignKey = record.key, !subscriptions.isNull(foreignKey), let store {
            guard let foreignKeyBytes = try subscriptions.foreignKey.serialize(foreignKey),
                let primaryKey = try subscriptions.primaryKey.serialize(wrapper.primaryKey)
            else { return }
            let key = CombinedKey<KO, K>.bytes(foreignKey: foreignKeyBytes, primaryKey: primaryKey)
            switch wrapper.instruction {
            case .deleteKeyAndPropagate, .deleteKeyNoPropagate:
                try store.put(key, nil, timestamp: record.timestamp)
            case .propagateNullIfNoForeignValue, .propagateOnlyIfForeignValue:
                try store.put(key, wrapper, timestamp: record.timestamp)
            }
        } else {
            // Only a left join's row without foreign key is answered (with nothing); none is stored.
            guard wrapper.instruction == .propagateNullIfNoForeignValue else {
                if let task {
                    task.droppedRecords += 1
                    task.logger.warning("skipping a subscription with a null foreign key", metadata: ["node": "\(name)"])
                }
                return
            }
        }
        try downstream.forward(
            Record(
                key: CombinedKey(foreignKey: record.key, primaryKey: wrapper.primaryKey), value: wrapper,
                timestamp: record.timestamp, headers: record.headers))
    }
}

/// Answers a subscription with the foreign row's current value, as its instruction says
/// (Kafka's `SubscriptionJoinProcessorSupplier`).
final class SubscriptionJoinNode<KO, K, VO>: ForwardingNode<CombinedKey<KO?, K>, SubscriptionWrapper<K>, K, SubscriptionResponseWrapper<VO>> {
    let getterSupplier: KTableValueGetterSupplier<KO, VO>
    private let foreignKeyIsNull: (@Sendable (KO) -> Bool)?
    private var getter: KTableValueGetter<KO, VO>?

    init(name: String, foreign: KTableValueGetterSupplier<KO, VO>) {
        self.getterSupplier = foreign
        self.foreignKeyIsNull = nullCheck(KO.self)
        super.init(name: name)
    }

    override func initialize(_ task: TaskContext) throws {
        getter = try getterSupplier.make(task)
    }

    override func process(_ record: Record<CombinedKey<KO?, K>, SubscriptionWrapper<K>>) throws {
        let wrapper = record.value
        var foreign: ValueAndTimestamp<VO>?
        if let foreignKey = record.key.foreignKey, foreignKeyIsNull?(foreignKey) != true {
            foreign = try getter?.get(foreignKey)
        }
        let timestamp = foreign.map { max(record.timestamp, $0.timestamp) } ?? record.timestamp
        let foreignValue: VO?
        switch wrapper.instruction {
        case .deleteKeyAndPropagate:
            foreignValue = nil
        case .propagateNullIfNoForeignValue:
            // Also when the foreign key changed and the new one has no row: the old result
            // must be retracted.
            foreignValue = foreign?.value
        case .propagateOnlyIfForeignValue:
            guard let foreign else { return }
            foreignValue = foreign.value
        case .deleteKeyNoPropagate:
            return
        }
        try downstream.forward(
            Record(
                key: record.key.primaryKey,
                value: SubscriptionResponseWrapper(
                    originalValueHash: wrapper.hash, foreignValue: foreignValue, primaryPartition: wrapper.primaryPartition),
                timestamp: timestamp, headers: record.headers))
    }
}

/// Answers every subscriber of a foreign key when the foreign row changes (Kafka's
/// `ForeignTableJoinProcessorSupplier`): a prefix scan of the subscription store.
final class ForeignTableJoinNode<KO, VO, K>: ForwardingNode<KO, Change<VO>, K, SubscriptionResponseWrapper<VO>> {
    let subscriptions: SubscriptionStore<KO, K>
    private var store: TimestampedKeyValueStore<[UInt8], SubscriptionWrapper<K>>?
    private unowned var task: TaskContext?

    init(name: String, storeName: String, foreignKey: Serde<KO>, primaryKey: Serde<K>) {
        self.subscriptions = SubscriptionStore(name: storeName, foreignKey: foreignKey, primaryKey: primaryKey)
        super.init(name: name)
    }

    override func initialize(_ task: TaskContext) throws {
        self.task = task
        store = try subscriptions.open(in: task)
    }

    override func process(_ record: Record<KO, Change<VO>>) throws {
        if subscriptions.isNull(record.key) {
            if let task {
                task.droppedRecords += 1
                task.logger.warning("skipping a foreign table update with a null key", metadata: ["node": "\(name)"])
            }
            return
        }
        guard let store, let foreignKey = try subscriptions.foreignKey.serialize(record.key) else { return }
        let prefix = CombinedKey<KO, K>.prefix(foreignKey: foreignKey)
        for entry in try store.bytes.prefixScan(prefix) {
            guard let primaryKeyBytes = CombinedKey<KO, K>.primaryKeyBytes(entry.key) else { continue }
            let subscription = try TimestampedKeyValueStore<[UInt8], SubscriptionWrapper<K>>.decode(entry.value, subscriptions.wrapper)
            let primaryKey = try primaryKeyBytes.withUnsafeBytes { try subscriptions.primaryKey.deserialize($0) }
            try downstream.forward(
                Record(
                    key: primaryKey,
                    value: SubscriptionResponseWrapper(
                        originalValueHash: subscription.value.hash, foreignValue: record.value.newValue,
                        primaryPartition: subscription.value.primaryPartition),
                    timestamp: record.timestamp, headers: record.headers))
        }
    }
}

/// Joins each answer with the primary row's current value, if the answer is for that value
/// (its hash matches), else drops it as stale (Kafka's `ResponseJoinProcessorSupplier`).
final class SubscriptionResponseResolverNode<K, V, VO, VR>: ForwardingNode<K, SubscriptionResponseWrapper<VO>, K, VR?> {
    let getterSupplier: KTableValueGetterSupplier<K, V>
    let valueSerde: Serde<V>
    let leftJoin: Bool
    let joiner: @Sendable (V, VO?) throws -> VR
    private var getter: KTableValueGetter<K, V>?
    private unowned var task: TaskContext?
    private var buffer: [UInt8] = []

    init(
        name: String, primary: KTableValueGetterSupplier<K, V>, value: Serde<V>, leftJoin: Bool,
        joiner: @escaping @Sendable (V, VO?) throws -> VR
    ) {
        self.getterSupplier = primary
        self.valueSerde = value
        self.leftJoin = leftJoin
        self.joiner = joiner
        super.init(name: name)
    }

    override func initialize(_ task: TaskContext) throws {
        self.task = task
        getter = try getterSupplier.make(task)
    }

    override func process(_ record: Record<K, SubscriptionResponseWrapper<VO>>) throws {
        let current = try getter?.get(record.key)
        var currentHash: (UInt64, UInt64)?
        if let current {
            _ = try valueSerde.serialize(current.value, into: &buffer)
            currentHash = Murmur3.hash128(buffer)
        }
        guard currentHash?.0 == record.value.originalValueHash?.0, currentHash?.1 == record.value.originalValueHash?.1
        else {
            // An answer to a value this row no longer has: a newer answer is on its way.
            if let task {
                task.droppedRecords += 1
                task.logger.trace("dropping a stale foreign-key join response", metadata: ["node": "\(name)"])
            }
            return
        }
        let result: VR?
        if let current, record.value.foreignValue != nil || leftJoin {
            result = try joiner(current.value, record.value.foreignValue)
        } else {
            result = nil  // a tombstone
        }
        try downstream.forward(record.withValue(result))
    }
}

/// The subscription store of a foreign-key join, shared by the node that stores subscriptions and
/// the node that answers them: subscriptions keyed `[foreign key][primary key]`, and their serdes.
struct SubscriptionStore<KO, K> {
    let name: String
    let foreignKey: Serde<KO>
    let primaryKey: Serde<K>
    let wrapper: Serde<SubscriptionWrapper<K>>
    private let foreignKeyIsNull: (@Sendable (KO) -> Bool)?

    init(name: String, foreignKey: Serde<KO>, primaryKey: Serde<K>) {
        self.name = name
        self.foreignKey = foreignKey
        self.primaryKey = primaryKey
        self.wrapper = .subscriptionWrapper(primaryKey: primaryKey)
        self.foreignKeyIsNull = nullCheck(KO.self)
    }

    /// Whether a foreign key is Kafka's null (only possible for optional key types).
    func isNull(_ key: KO) -> Bool { foreignKeyIsNull?(key) ?? false }

    func open(in task: TaskContext) throws -> TimestampedKeyValueStore<[UInt8], SubscriptionWrapper<K>> {
        try task.timestampedStore(name, key: .bytes, value: wrapper)
    }
}
