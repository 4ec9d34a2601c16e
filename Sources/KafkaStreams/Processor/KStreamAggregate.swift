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
        try aggregate(key: key, value: value, timestamp: timestamp, headers: headers) { old in
            try update(key, value, old)
        }
    }
}
