/// What the stream aggregations (``KStreamAggregate``, ``KStreamCount``) share: the store, the
/// checks for null keys and values, and forwarding of results.
///
/// Records with a null key or value are skipped (logged and counted), as in Kafka Streams. The
/// result's timestamp is the larger of the record's and the previous aggregate's.
class AggregationNode<K, V, VA>: ForwardingNode<K, V, K, Change<VA>> {
    let storeName: String
    let keySerde: Serde<K>
    let aggregateSerde: Serde<VA>
    let keyIsNull: (@Sendable (K) -> Bool)?
    let valueIsNull: (@Sendable (V) -> Bool)?
    private(set) var store: TimestampedKeyValueStore<K, VA>?
    /// Set when the store is cached: results are forwarded when the cache flushes.
    private(set) var forwardsOnFlush = false
    /// Unowned(unsafe): the task owns its nodes, and a checked reference costs an atomic per use.
    private(set) unowned(unsafe) var task: TaskContext
    /// The only child when it is a `toStream()` (`count().toStream()`, the common case): results
    /// go straight to its children, without building a `Change` that it would only unwrap (a
    /// generic-metadata lookup and a node hop per record). Owned by the task, like `task`.
    private(set) unowned(unsafe) var toStream: KTableToStream<K, VA>?

    init(name: String, storeName: String, key: Serde<K>, aggregate: Serde<VA>, task: TaskContext) {
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

    /// Whether the record is skipped for a null key or value (counted and logged here).
    @inline(__always)
    func skipsNull(key: K, value: V) -> Bool {
        guard keyIsNull?(key) == true || valueIsNull?(value) == true else { return false }
        task.droppedRecords += 1
        task.logger.debug("skipping a record with a null key or value", metadata: ["node": "\(name)"])
        return true
    }

    /// Updates the key's aggregate in the store to `update(old aggregate or nil)` and forwards
    /// the result. Inlined into each node's `process`, so that it runs with the aggregate's type
    /// as the node knows it (concrete in ``KStreamCount``).
    @inline(__always)
    func aggregate(
        key: K, value: V, timestamp: Int64, headers: RecordHeaders, _ update: (VA?) throws -> VA
    ) throws {
        if skipsNull(key: key, value: value) { return }
        guard let store else { return }
        // The key is serialized once for the read and the write; the old aggregate's timestamp
        // comes back apart from it (no `ValueAndTimestamp<VA>?` to look up metadata for).
        try store.setKey(key)
        var oldTimestamp = timestamp
        let old = try store.lookupSetKey(timestamp: &oldTimestamp)
        let newAggregate = try update(old)
        let resultTimestamp = max(timestamp, oldTimestamp)
        try store.putSetKey(newAggregate, timestamp: resultTimestamp)
        if forwardsOnFlush { return }
        if let toStream {
            try toStream.forwardNewValue(key: key, newAggregate, timestamp: resultTimestamp, headers: headers)
            return
        }
        try forwardChange(key: key, newValue: newAggregate, oldValue: old, timestamp: resultTimestamp, headers: headers)
    }

    /// Sends the change of one key's aggregate to the children. Not inlined: a `Change<VA>` (and
    /// `VA?`) in the callers' unspecialized code would cost metadata lookups on every record,
    /// also on the common path through ``toStream``, which does not build one.
    @inline(never)
    func forwardChange(key: K, newValue: VA, oldValue: VA?, timestamp: Int64, headers: RecordHeaders) throws {
        try downstream.forward(
            key: key, value: Change(newValue: newValue, oldValue: oldValue), timestamp: timestamp, headers: headers)
    }
}
