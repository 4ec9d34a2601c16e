/// What sources do with a record whose extracted timestamp is negative (a record written
/// without a timestamp, or a ``TimestampExtractor`` that returned one).
///
/// Set in ``StreamsConfig/invalidTimestampHandler``. The cases are Kafka Streams' extractors of
/// the same names: `LogAndSkipOnInvalidTimestamp`, `FailOnInvalidTimestamp` and
/// `UsePartitionTimeOnInvalidTimestamp`.
public enum InvalidTimestampHandler: Sendable, Hashable {
    /// Skip the record: it is logged at warning level and counted in dropped records (the
    /// driver's `droppedRecordsCount`, the metric `kafka_streams_records_dropped_total`). The
    /// default.
    case logAndSkip
    /// Stop processing: the stream thread fails with
    /// ``StreamsError/invalidTimestamp(topic:partition:offset:timestamp:)``.
    case logAndFail
    /// Give the record the partition's time (the largest timestamp extracted so far from its
    /// partition); fail as ``logAndFail`` while the partition has no time yet.
    case usePartitionTime
}
