extension Consumed {
    /// Reads keys and values with these serdes and gives records timestamps with `timestampExtractor`.
    public static func with(
        key: Serde<Key>? = nil, value: Serde<Value>? = nil, timestampExtractor: some TimestampExtractor
    ) -> Consumed {
        var consumed = Consumed(key: key, value: value)
        consumed.timestampExtractor = timestampExtractor
        return consumed
    }

    /// A copy whose source gives records timestamps with `extractor` instead of the config's
    /// default.
    ///
    /// ```swift
    /// .withTimestampExtractor(.wallClock)
    /// ```
    public func withTimestampExtractor(_ extractor: some TimestampExtractor) -> Consumed {
        var copy = self
        copy.timestampExtractor = extractor
        return copy
    }

    /// A copy whose source gives each record the timestamp `extract(record, partitionTime)`
    /// returns (see ``TimestampExtractor/extract(_:partitionTime:)``).
    ///
    /// ```swift
    /// Consumed.with(key: .string, value: .json(PageView.self))
    ///     .withTimestampExtractor { record, _ in record.value.viewedAt }
    /// ```
    public func withTimestampExtractor(
        _ extract: @escaping @Sendable (_ record: Record<Key, Value>, _ partitionTime: Int64) throws -> Int64
    ) -> Consumed {
        withTimestampExtractor(ClosureTimestampExtractor(extract))
    }
}
