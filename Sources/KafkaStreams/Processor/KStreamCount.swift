/// `count` of a grouped stream: ``KStreamAggregate`` with the aggregate's type known (`Int64`).
///
/// Its own node because the aggregate's type is then concrete in the per-record code: the
/// generic node handles the old aggregate as a `VA?` and forwards a `VA?` to `toStream()`,
/// each a generic-metadata lookup per record in unspecialized code (~3% of a word count).
final class KStreamCount<K, V>: AggregationNode<K, V, Int64> {
    override func process(key: K, value: V, timestamp: Int64, headers: RecordHeaders) throws {
        if skipsNull(key: key, value: value) { return }
        guard let store else { return }
        try store.setKey(key)
        var oldTimestamp = timestamp
        let old = try store.lookupSetKey(timestamp: &oldTimestamp)
        let count = (old ?? 0) + 1
        let resultTimestamp = max(timestamp, oldTimestamp)
        try store.putSetKey(count, timestamp: resultTimestamp)
        if forwardsOnFlush { return }
        if let toStream {
            try toStream.forwardNewValue(key: key, count, timestamp: resultTimestamp, headers: headers)
            return
        }
        try forwardChange(key: key, newValue: count, oldValue: old, timestamp: resultTimestamp, headers: headers)
    }
}
