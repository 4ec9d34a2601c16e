/// A partition of a topic with an offset, used for assignments, seeks, commits and positions.
///
/// The offset is a record offset (for commits: the offset of the *next* record to consume, that
/// is the last processed offset + 1) or one of the logical offsets in ``KafkaOffset``.
public struct TopicPartitionOffset: Sendable, Hashable, CustomStringConvertible {
    /// The topic name.
    public var topic: String
    /// The partition number, from 0.
    public var partition: Int32
    /// The offset, or a logical offset from ``KafkaOffset``.
    public var offset: Int64
    /// Commit metadata stored with a committed offset (Kafka's `OffsetAndMetadata.metadata`):
    /// sent with commits and transactional offset commits, returned by committed-offset reads.
    /// `nil` when there is none.
    public var metadata: String?

    /// Creates a topic partition offset.
    public init(topic: String, partition: Int32, offset: Int64, metadata: String? = nil) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.metadata = metadata
    }

    /// Creates a topic partition offset from a partition.
    public init(_ topicPartition: TopicPartition, offset: Int64) {
        self.init(topic: topicPartition.topic, partition: topicPartition.partition, offset: offset)
    }

    /// The partition without the offset.
    public var topicPartition: TopicPartition { TopicPartition(topic: topic, partition: partition) }

    public var description: String { "\(topic)[\(partition)]@\(KafkaOffset.describe(offset))" }
}
