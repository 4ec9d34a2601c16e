/// How a record's timestamp was set.
public enum KafkaTimestampType: Sendable, Hashable {
    /// Set by the producer (CreateTime).
    case createTime
    /// Set by the broker when it appended the record (LogAppendTime).
    case logAppendTime
    /// The record has no timestamp.
    case notAvailable
}
