/// `reduce` and `aggregate` of a grouped stream: updates the key's aggregate in the store and
/// forwards the change. (`count` has a node of its own, ``KStreamCount``.)
final class KStreamAggregate<K, V, VA>: AggregationNode<K, V, VA> {
    /// Returns the new aggregate from the key, the value and the old aggregate (`nil` if none).
    let update: @Sendable (K, V, VA?) throws -> VA

    init(
        name: String, storeName: String, key: Serde<K>, aggregate: Serde<VA>, task: TaskContext,
        update: @escaping @Sendable (K, V, VA?) throws -> VA
    ) {
        self.update = update
        super.init(name: name, storeName: storeName, key: key, aggregate: aggregate, task: task)
    }

    override func process(key: K, value: V, timestamp: Int64, headers: RecordHeaders) throws {
        if skipsNull(key: key, value: value) { return }
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
        try forwardChange(key: key, newValue: newAggregate, oldValue: old, timestamp: resultTimestamp, headers: headers)
    }
}
