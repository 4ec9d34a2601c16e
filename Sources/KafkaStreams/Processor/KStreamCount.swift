/// `count` of a grouped stream: ``KStreamAggregate`` with the aggregate's type known (`Int64`).
///
/// Its own node because the aggregate's type is then concrete in the per-record code: the
/// generic node handles the old aggregate as a `VA?` and forwards a `VA?` to `toStream()`,
/// each a generic-metadata lookup per record in unspecialized code (~3% of a word count).
final class KStreamCount<K, V>: AggregationNode<K, V, Int64> {
    override func process(key: K, value: V, timestamp: Int64, headers: RecordHeaders) throws {
        try aggregate(key: key, value: value, timestamp: timestamp, headers: headers) { count in (count ?? 0) + 1 }
    }
}
