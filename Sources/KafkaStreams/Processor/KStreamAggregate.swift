/// `count`, `reduce` and `aggregate` of a grouped stream: updates the key's aggregate in the store
/// and forwards the change.
///
/// Records with a null key or value are skipped (logged and counted), as in Kafka Streams. The
/// result's timestamp is the larger of the record's and the previous aggregate's.
final class KStreamAggregate<K, V, VA>: ForwardingNode<K, V, K, Change<VA>> {
    /// Returns the new aggregate from the key, the value and the old aggregate (`nil` if none).
    let update: @Sendable (K, V, VA?) throws -> VA
    let storeName: String
    let keySerde: Serde<K>
    let aggregateSerde: Serde<VA>
    let keyIsNull: (@Sendable (K) -> Bool)?
    let valueIsNull: (@Sendable (V) -> Bool)?
    private var store: TimestampedKeyValueStore<K, VA>?
    /// Set when the store is cached: results are forwarded when the cache flushes.
    private var forwardsOnFlush = false
    /// Unowned(unsafe): the task owns its nodes, and a checked reference costs an atomic per use.
    private unowned(unsafe) let task: TaskContext
    /// The only child when it is a `toStream()` (`count().toStream()`, the common case): results
    /// go straight to its children, without building a `Change` that it would only unwrap (a
    /// generic-metadata lookup and a node hop per record). Owned by the task, like `task`.
    private unowned(unsafe) var toStream: KTableToStream<K, VA>?

    init(
        name: String, storeName: String, key: Serde<K>, aggregate: Serde<VA>, task: TaskContext,
        update: @escaping @Sendable (K, V, VA?) throws -> VA
    ) {
        self.update = update
        self.storeName = storeName
        self.keySerde = key
        self.aggregateSerde = aggregate
        self.keyIsNull = nullCheck(K.self)
        self.valueIsNull = nullCheck(V.self)
        self.task = task
        super.init(name: name)
    }

    override func initialize(_ task: TaskContext) throws {
        let store = try task.timestampedStore(storeName, key: keySerde, value: aggregateSerde)
        self.store = store
        forwardsOnFlush = store.forwardFlushedChanges { [unowned self] in try self.downstream.forward($0) }
        // Children are wired before any node initializes.
        if downstream.children.count == 1 { toStream = downstream.children[0] as? KTableToStream<K, VA> }
    }

    override func process(key: K, value: V, timestamp: Int64, headers: RecordHeaders) throws {
        if keyIsNull?(key) == true || valueIsNull?(value) == true {
            task.droppedRecords += 1
            task.logger.debug("skipping a record with a null key or value", metadata: ["node": "\(name)"])
            return
        }
        guard let store else { return }
        // The key is serialized once for the read and the write; the old aggregate's timestamp
        // comes back apart from it (no `ValueAndTimestamp<VA>?` to look up metadata for).
        try store.setKey(key)
        var oldTimestamp = timestamp
        let old = try store.lookupSetKey(timestamp: &oldTimestamp)
        let newAggregate = try update(key, value, old)
        let resultTimestamp = max(timestamp, oldTimestamp)
        try store.putSetKey(newAggregate, timestamp: resultTimestamp)
        if forwardsOnFlush { return }
        if let toStream {
            try toStream.forwardNewValue(key: key, newAggregate, timestamp: resultTimestamp, headers: headers)
            return
        }
        try downstream.forward(
            key: key, value: Change(newValue: newAggregate, oldValue: old), timestamp: resultTimestamp,
            headers: headers)
    }
}
