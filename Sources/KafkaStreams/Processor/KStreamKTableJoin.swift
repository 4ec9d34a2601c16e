import Logging

/// Joins each stream record with a table's current value (Kafka Streams' `KStreamKTableJoin`
/// and `KStreamGlobalKTableJoin`): the table is looked up when the record is processed, and
/// table updates produce nothing.
///
/// The lookup key is the record's key for a `KTable` and `keySelector(key, value)` for a
/// `GlobalKTable`. Records with a null value, or whose lookup key is null, are dropped (a left
/// join keeps a record whose own key is null and joins it with nothing). An inner join emits
/// only records that found a value; a left join emits every other record too, joined with `nil`.
final class KStreamKTableJoinNode<K, V, TK, TV, VOut>: ForwardingNode<K, V, K, VOut> {
    let getterSupplier: KTableValueGetterSupplier<TK, TV>
    let keySelector: @Sendable (K, V) throws -> TK
    /// The result of a record whose lookup key the table has.
    let joinFound: @Sendable (V, TV) throws -> VOut
    /// The result of a record whose lookup key the table lacks (a left join); `nil` for an
    /// inner join, which drops it. Two closures rather than one taking `TV?`: a `TV?` in this
    /// unspecialized node would cost a look-up of its metadata (~350 instructions) per record.
    let joinMissing: (@Sendable (V) throws -> VOut)?
    var leftJoin: Bool { joinMissing != nil }
    private let keyIsNull: (@Sendable (K) -> Bool)?
    private let valueIsNull: (@Sendable (V) -> Bool)?
    private let lookupKeyIsNull: (@Sendable (TK) -> Bool)?
    private var getter: KTableValueGetter<TK, TV>?
    private unowned var task: TaskContext?

    init(
        name: String, getter: KTableValueGetterSupplier<TK, TV>, keySelector: @escaping @Sendable (K, V) throws -> TK,
        joinFound: @escaping @Sendable (V, TV) throws -> VOut, joinMissing: (@Sendable (V) throws -> VOut)?
    ) {
        self.getterSupplier = getter
        self.keySelector = keySelector
        self.joinFound = joinFound
        self.joinMissing = joinMissing
        self.keyIsNull = nullCheck(K.self)
        self.valueIsNull = nullCheck(V.self)
        self.lookupKeyIsNull = nullCheck(TK.self)
        super.init(name: name)
    }

    override func initialize(_ task: TaskContext) throws {
        self.task = task
        getter = try getterSupplier.make(task)
    }

    override func process(key: K, value: V, timestamp: Int64, headers: RecordHeaders) throws {
        let lookupKey = try keySelector(key, value)
        let lookupKeyIsNull = lookupKeyIsNull?(lookupKey) ?? false
        let valueIsNull = valueIsNull?(value) ?? false
        let keepsNullKey = leftJoin && keyIsNull?(key) == true && !valueIsNull
        if !keepsNullKey && (lookupKeyIsNull || valueIsNull) {
            drop(valueIsNull ? "null value" : "null join key")
            return
        }
        if !lookupKeyIsNull, let getter {
            let found = try getter.withValue(lookupKey) { tableValue in
                try downstream.forward(key: key, value: joinFound(value, tableValue), timestamp: timestamp, headers: headers)
            }
            if found { return }
        }
        guard let joinMissing else { return }
        try downstream.forward(key: key, value: joinMissing(value), timestamp: timestamp, headers: headers)
    }

    private func drop(_ reason: String) {
        guard let task else { return }
        task.droppedRecords += 1
        var metadata: Logger.Metadata = ["node": "\(name)", "reason": "\(reason)"]
        if let position = task.recordMetadata {
            metadata["topic"] = "\(position.topic)"
            metadata["partition"] = "\(position.partition)"
            metadata["offset"] = "\(position.offset)"
        }
        task.logger.warning("skipping a record with a null join key or value", metadata: metadata)
    }
}
