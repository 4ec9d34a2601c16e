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

    /// The message's headers, parsed on first use by librdkafka and owned by the message.
    static func headers(of message: UnsafePointer<rd_kafka_message_t>) -> OpaquePointer? {
        var headers: OpaquePointer?
        guard rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return headers
    }

    static func copyHeaders(of message: UnsafePointer<rd_kafka_message_t>) -> [KafkaHeader] {
        guard let headers = headers(of: message) else { return [] }
        let count = rd_kafka_header_cnt(headers)
        var result: [KafkaHeader] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            guard rd_kafka_header_get_all(headers, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR else { break }
            result.append(KafkaHeader(
                name: name.map { String(cString: $0) } ?? "",
                value: value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
            ))
        }
        return result
    }
}
