/// Gives each input record the timestamp that stream time, windows and grace periods use: its
/// event time.
///
/// Sources call the extractor once per record, after deserializing it, with the timestamp the
/// producer (or the broker, for `LogAppendTime` topics) put on the record in `record.timestamp`.
/// What it returns becomes the record's timestamp downstream and moves the task's stream time.
///
/// ```swift
/// struct PageViewTime: TimestampExtractor {
///     func extract<Key, Value>(_ record: Record<Key, Value>, partitionTime: Int64) throws -> Int64 {
///         (record.value as? PageView)?.viewedAt ?? record.timestamp
///     }
/// }
/// builder.stream("page-views", consumed: Consumed.with(key: .string, value: .json(PageView.self))
///     .withTimestampExtractor(PageViewTime()))
/// ```
///
/// The default (``StreamsConfig/defaultTimestampExtractor``) is ``RecordTimestampExtractor``.
/// ``WallclockTimestampExtractor`` uses processing time instead, and ``ClosureTimestampExtractor``
/// wraps a function of typed records. A `Consumed` extractor applies to its source; the config's
/// default applies to every other source, repartition topics included.
///
/// A negative result is an invalid timestamp: ``StreamsConfig/invalidTimestampHandler`` decides
/// whether the record is skipped (the default), the task fails, or the partition time is used.
/// What the extractor throws goes to the processing exception handler, naming the source.
public protocol TimestampExtractor: Sendable {
    /// The event time of a record, in epoch milliseconds.
    ///
    /// - Parameters:
    ///   - record: The deserialized record; `record.timestamp` is the timestamp it was written
    ///     with (`-1` when it has none).
    ///   - partitionTime: The largest timestamp extracted so far from the record's partition in
    ///     this task, or `-1` before the first.
    func extract<Key, Value>(_ record: Record<Key, Value>, partitionTime: Int64) throws -> Int64
}

extension TimestampExtractor where Self == RecordTimestampExtractor {
    /// The timestamp the record was written with (the default).
    public static var recordTimestamp: RecordTimestampExtractor { RecordTimestampExtractor() }
}

extension TimestampExtractor where Self == WallclockTimestampExtractor {
    /// The wall-clock time at which the record is processed.
    public static var wallClock: WallclockTimestampExtractor { WallclockTimestampExtractor() }
}
