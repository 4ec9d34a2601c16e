import CRdKafka

extension ConsumerRecord {
    /// Copies a (successful) message out of librdkafka's buffers.
    init(message: UnsafePointer<rd_kafka_message_t>, topic: String) {
        let m = message.pointee
        let (timestamp, type) = NativeMessage.timestamp(of: message)
        self.init(
            topic: topic,
            partition: m.partition,
            offset: m.offset,
            timestamp: timestamp,
            timestampType: type,
            key: m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) },
            value: m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: m.len)) },
            headers: NativeMessage.copyHeaders(of: message)
        )
    }
}
