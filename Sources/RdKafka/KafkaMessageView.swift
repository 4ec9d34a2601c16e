import CRdKafka

/// A borrowed view of one consumed message inside librdkafka's buffers, without copying.
///
/// Handed to the body of ``KafkaConsumer/pollBatch(maxMessages:timeout:onPartitionEOF:_:)``.
/// It, and every buffer it returns, is valid only until the body returns: the message is then
/// destroyed. Copy what must outlive it (``makeRecord()``, or `Array(view.value!)`).
public struct KafkaMessageView: ~Copyable {
    // Both set again for each message of a batch: one view serves the whole batch, so its topic
    // `String` is not retained and released per message.
    var message: UnsafePointer<rd_kafka_message_t>

    /// The topic the message was read from.
    public internal(set) var topic: String

    init(message: UnsafePointer<rd_kafka_message_t>, topic: String) {
        self.message = message
        self.topic = topic
    }

    /// The partition the message was read from.
    public var partition: Int32 { message.pointee.partition }

    /// The message's offset in its partition.
    public var offset: Int64 { message.pointee.offset }

    /// The message's partition.
    public var topicPartition: TopicPartition { TopicPartition(topic: topic, partition: partition) }

    /// The key bytes, or `nil` for a null key. Valid only while the view is.
    public var key: UnsafeRawBufferPointer? {
        guard let key = message.pointee.key else { return nil }
        return UnsafeRawBufferPointer(start: key, count: message.pointee.key_len)
    }

    /// The value bytes, or `nil` for a null value (a tombstone). Valid only while the view is.
    public var value: UnsafeRawBufferPointer? {
        guard let payload = message.pointee.payload else { return nil }
        return UnsafeRawBufferPointer(start: payload, count: message.pointee.len)
    }

    /// The timestamp in milliseconds since the epoch, `-1` when not available.
    public var timestamp: Int64 { NativeMessage.timestamp(of: message).timestamp }

    /// How ``timestamp`` was set.
    public var timestampType: KafkaTimestampType { NativeMessage.timestamp(of: message).type }

    /// Whether the message has no headers, known from its record without asking librdkafka
    /// (which allocates an empty header list for such a message on first use). `false` when
    /// that cannot be known this way (a null or empty value); ``headerCount`` then tells.
    public var certainlyHasNoHeaders: Bool { NativeMessage.certainlyHasNoHeaders(consumed: message) }

    /// The number of headers.
    public var headerCount: Int {
        guard let headers = NativeMessage.headers(of: message) else { return 0 }
        return rd_kafka_header_cnt(headers)
    }

    /// The header at `index` (in produced order): its name and a view of its value (`nil` for a
    /// null value). Returns `nil` when `index` is out of range.
    public func header(at index: Int) -> (name: String, value: UnsafeRawBufferPointer?)? {
        guard index >= 0, let headers = NativeMessage.headers(of: message) else { return nil }
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        guard rd_kafka_header_get_all(headers, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return (name.map { String(cString: $0) } ?? "", value.map { UnsafeRawBufferPointer(start: $0, count: size) })
    }

    /// The headers, copied.
    public var headers: [KafkaHeader] { NativeMessage.copyHeaders(of: message) }

    /// Calls `body` with each header in produced order: its name (NUL-terminated) and a view of
    /// its value (`nil` for a null value), without copying either. Both are valid only during the
    /// call. Cheaper than ``headers`` when most headers are read and dropped, or compared.
    public func forEachHeader(
        _ body: (_ name: UnsafePointer<CChar>, _ value: UnsafeRawBufferPointer?) throws -> Void
    ) rethrows {
        try NativeMessage.forEachHeader(of: message, body)
    }

    /// Copies the message into an owned ``ConsumerRecord``.
    public func makeRecord() -> ConsumerRecord {
        ConsumerRecord(message: message, topic: topic)
    }
}
