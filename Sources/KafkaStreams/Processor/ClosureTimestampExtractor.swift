/// A timestamp extractor made from a function of typed records.
///
/// ```swift
/// let byViewTime = ClosureTimestampExtractor { (record: Record<String, PageView>, _) in record.value.viewedAt }
/// builder.stream("page-views", consumed: Consumed.with(key: .string, value: .json(PageView.self))
///     .withTimestampExtractor(byViewTime))
/// ```
///
/// Records of other key or value types than `Key` and `Value` (for example on repartition topics,
/// when the extractor is the config's default) make it throw, so the processing exception
/// handler sees the mismatch instead of a silently wrong time.
public struct ClosureTimestampExtractor<Key, Value>: TimestampExtractor {
    let body: @Sendable (Record<Key, Value>, Int64) throws -> Int64

    /// - Parameter extract: Returns the record's event time from the record and the partition
    ///   time (see ``TimestampExtractor/extract(_:partitionTime:)``).
    public init(_ extract: @escaping @Sendable (_ record: Record<Key, Value>, _ partitionTime: Int64) throws -> Int64) {
        self.body = extract
    }

    public func extract<K, V>(_ record: Record<K, V>, partitionTime: Int64) throws -> Int64 {
        guard let typed = record as? Record<Key, Value> else {
            throw StreamsError.invalidState(
                "a timestamp extractor of Record<\(Key.self), \(Value.self)> was given a Record<\(K.self), \(V.self)>")
        }
        return try body(typed, partitionTime)
    }
}
