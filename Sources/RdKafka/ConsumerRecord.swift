/// A consumed record, with its key, value and headers copied out of librdkafka's buffers.
///
/// For the allocation-free path see ``KafkaConsumer/pollBatch(maxMessages:timeout:onPartitionEOF:_:)``.
public struct ConsumerRecord: Sendable, Hashable {
    /// The topic the record was read from.
    public var topic: String
    /// The partition the record was read from.
    public var partition: Int32
    /// The record's offset in its partition.
    public var offset: Int64
    /// The timestamp in milliseconds since the epoch, `-1` when ``timestampType`` is
    /// ``KafkaTimestampType/notAvailable``.
    public var timestamp: Int64
    /// How ``timestamp`` was set.
    public var timestampType: KafkaTimestampType
    /// The key, or `nil` for a null key.
    public var key: [UInt8]?
    /// The value, or `nil` for a null value (a tombstone).
    public var value: [UInt8]?
    /// The headers in order, with duplicates and null values as produced.
    public var headers: [KafkaHeader]

    /// Creates a record.
    public init(
        topic: String,
        partition: Int32,
        offset: Int64,
        timestamp: Int64,
        timestampType: KafkaTimestampType,
        key: [UInt8]?,
        value: [UInt8]?,
        headers: [KafkaHeader] = []
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestamp = timestamp
        self.timestampType = timestampType
        self.key = key
        self.value = value
        self.headers = headers
    }

    /// The record's partition.
    public var topicPartition: TopicPartition { TopicPartition(topic: topic, partition: partition) }
}
