import CRdKafka

/// Reading `rd_kafka_message_t`s: shared by consumed records, borrowed views and delivery reports.
enum NativeMessage {
    static func topicName(of message: UnsafePointer<rd_kafka_message_t>) -> String {
        topicNamePointer(of: message).map { String(cString: $0) } ?? ""
    }

    /// The topic's name as librdkafka holds it, valid while the message is.
    static func topicNamePointer(of message: UnsafePointer<rd_kafka_message_t>) -> UnsafePointer<CChar>? {
        message.pointee.rkt.flatMap { rd_kafka_topic_name($0) }
    }

    static func timestamp(of message: UnsafePointer<rd_kafka_message_t>) -> (timestamp: Int64, type: KafkaTimestampType) {
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &type)
        switch type {
        case RD_KAFKA_TIMESTAMP_CREATE_TIME: return (timestamp, .createTime)
        case RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME: return (timestamp, .logAppendTime)
        default: return (-1, .notAvailable)
        }
    }

    /// A consumed message's headers, parsed on first use by librdkafka and owned by the message;
    /// `nil` when it has none.
    static func headers(of message: UnsafePointer<rd_kafka_message_t>) -> OpaquePointer? {
        if certainlyHasNoHeaders(consumed: message) { return nil }
        var headers: OpaquePointer?
        guard rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return headers
    }

    /// Whether a consumed message has no headers, found without asking librdkafka, whose
    /// `rd_kafka_message_headers` parses the record's header section on first use and, for a
    /// record without headers, allocates and later frees an empty list (three allocator calls
    /// and a `memset` per record, ~6% of a stream thread).
    ///
    /// librdkafka hands out a consumed value as a view into the fetched record, and in a v2
    /// record (every broker since Kafka 0.11 writes them; Kafka 4 knows no other) the value is
    /// followed by the header count, a zigzag varint whose first byte is 0 only for no headers.
    /// Null and empty values are left to librdkafka: a null one has no position, and an empty
    /// one's pointer is not into the record (found by a test: its next byte is no header count).
    /// In the v0/v1 records of brokers before Kafka 0.11 the byte read is the next record's or,
    /// after a fetch's last record, one past librdkafka's buffer; either answer is right there,
    /// as those records have no headers (`headersOfEveryShape` checks both kinds of value).
    @inline(__always)
    static func certainlyHasNoHeaders(consumed message: UnsafePointer<rd_kafka_message_t>) -> Bool {
        guard message.pointee.len > 0, let value = message.pointee.payload else { return false }
        return value.load(fromByteOffset: message.pointee.len, as: UInt8.self) == 0
    }

    static func copyHeaders(of message: UnsafePointer<rd_kafka_message_t>) -> [KafkaHeader] {
        var result: [KafkaHeader] = []
        forEachHeader(of: message) { name, value in
            result.append(KafkaHeader(name: String(cString: name), value: value.map { Array($0) }))
        }
        return result
    }

    /// "" as a C string: the name of a header librdkafka gives without one (it never does).
    private static var emptyName: UnsafePointer<CChar> {
        UnsafeRawPointer(("" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self)
    }

    /// Calls `body` with each header's name and a view of its value (`nil` for null), in order;
    /// both valid while the message is.
    static func forEachHeader(
        of message: UnsafePointer<rd_kafka_message_t>,
        _ body: (_ name: UnsafePointer<CChar>, _ value: UnsafeRawBufferPointer?) throws -> Void
    ) rethrows {
        guard let headers = headers(of: message) else { return }
        var index = 0
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while rd_kafka_header_get_all(headers, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            try body(name ?? emptyName, value.map { UnsafeRawBufferPointer(start: $0, count: size) })
            index += 1
        }
    }
}
