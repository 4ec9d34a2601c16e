/// Uses the timestamp a record was written with: the producer's `CreateTime`, or the broker's
/// `LogAppendTime` if the topic is configured so. The default extractor.
///
/// Kafka Streams' `FailOnInvalidTimestamp` / `LogAndSkipOnInvalidTimestamp` family: what happens
/// to records without a valid timestamp is decided by ``StreamsConfig/invalidTimestampHandler``.
public struct RecordTimestampExtractor: TimestampExtractor, Hashable {
    /// The record-timestamp extractor.
    public init() {}

    public func extract<Key, Value>(_ record: Record<Key, Value>, partitionTime: Int64) throws -> Int64 {
        record.timestamp
    }
}
