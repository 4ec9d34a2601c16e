/// What ``KafkaConsumer/pollEvent(timeout:)`` returns: a record or an end-of-partition marker.
public enum ConsumerEvent: Sendable, Hashable {
    /// A consumed record.
    case record(ConsumerRecord)
    /// The consumer reached the end of a partition: `offset` is the next offset to be written.
    /// Only reported with `enable.partition.eof=true`, once each time the end is reached.
    case partitionEOF(TopicPartitionOffset)
}
