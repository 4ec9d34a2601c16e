/// The outcome of one produced message, passed to a ``KafkaProducer``'s delivery report handler.
public struct DeliveryReport: Sendable, Hashable {
    /// The topic the message was produced to.
    public var topic: String
    /// The partition the message was written to (or was to be written to), `-1` if none was chosen.
    public var partition: Int32
    /// The offset of the message in the partition, or ``KafkaOffset/invalid`` if it is not known
    /// (delivery failed, or `acks=0`).
    public var offset: Int64
    /// The `tag` given to `KafkaProducer.produce(topic:partition:key:value:headers:timestamp:tag:)`,
    /// to correlate the report with the message.
    public var tag: UInt64
    /// The message timestamp in milliseconds since the epoch, if known: the CreateTime sent, or
    /// the broker's LogAppendTime when ``timestampType`` says so.
    public var timestamp: Int64?
    /// How ``timestamp`` was set.
    public var timestampType: KafkaTimestampType
    /// Why delivery failed, or `nil` when the message was written.
    public var error: KafkaError?

    /// Creates a delivery report.
    public init(
        topic: String,
        partition: Int32,
        offset: Int64,
        tag: UInt64,
        timestamp: Int64?,
        timestampType: KafkaTimestampType = .createTime,
        error: KafkaError?
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.tag = tag
        self.timestamp = timestamp
        self.timestampType = timestamp == nil ? .notAvailable : timestampType
        self.error = error
    }

    /// Whether the message was written.
    public var isSuccess: Bool { error == nil }
}
