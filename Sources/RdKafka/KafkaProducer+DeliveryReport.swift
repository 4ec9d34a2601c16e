import CRdKafka

extension DeliveryReport {
    /// Reads a delivery report from a message handed to the `dr_msg_cb`; `topic` names its topic.
    init(message: UnsafePointer<rd_kafka_message_t>, topic: String) {
        let m = message.pointee
        let (timestamp, timestampType) = NativeMessage.timestamp(of: message)
        let failed = m.err != RD_KAFKA_RESP_ERR_NO_ERROR
        self.init(
            topic: topic,
            partition: m.partition,
            offset: failed ? KafkaOffset.invalid : m.offset,
            tag: UInt64(UInt(bitPattern: m._private)),
            timestamp: timestampType == .notAvailable || timestamp < 0 ? nil : timestamp,
            timestampType: timestampType,
            error: failed ? KafkaError(responseError: m.err, context: "delivery to \(topic)") : nil
        )
    }
}

// Called on the thread in rd_kafka_poll / rd_kafka_flush (or a transactional call that flushes).
let deliveryReportCallback: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
    _, message, opaque in
    guard let message, let opaque else { return }
    // Borrowed: the client keeps its callbacks alive while librdkafka may call back, and taking
    // a reference would retain and release them for every produced message.
    Unmanaged<ClientCallbacks>.fromOpaque(opaque)._withUnsafeGuaranteedRef { report(message, to: $0) }
}

private func report(_ message: UnsafePointer<rd_kafka_message_t>, to callbacks: ClientCallbacks) {
    if callbacks.deliveryReportScope == .failuresAndTagged, message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
        guard let tag = message.pointee._private else { return }
        if let taggedOffsetHandler = callbacks.taggedOffsetHandler {
            taggedOffsetHandler(UInt64(UInt(bitPattern: tag)), message.pointee.partition, message.pointee.offset)
            return
        }
    }
    let topic = NativeMessage.topicNamePointer(of: message).map { callbacks.reportTopicName($0) } ?? ""
    let report = DeliveryReport(message: message, topic: topic)
    if let handler = callbacks.deliveryReportHandler {
        handler(report)
    } else if let error = report.error {
        callbacks.logger.warning("message delivery failed", metadata: ["rdkafka.tag": "\(report.tag)", "rdkafka.error": "\(error)"])
    }
}
