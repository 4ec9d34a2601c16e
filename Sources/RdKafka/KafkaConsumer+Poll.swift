import CRdKafka

extension KafkaConsumer {
    /// Waits up to `timeout` for the next record, serving rebalances and error callbacks.
    ///
    /// End-of-partition markers (`enable.partition.eof=true`) are skipped: use
    /// ``pollEvent(timeout:)`` or ``pollBatch(maxMessages:timeout:onPartitionEOF:_:)`` to see them.
    ///
    /// - Returns: the record, or `nil` if none arrived within `timeout`.
    /// - Throws: consumer errors reported by librdkafka (for example an offset out of range
    ///   without `auto.offset.reset`), which are often informational: the consumer keeps going.
    public func poll(timeout: Duration) throws(KafkaError) -> ConsumerRecord? {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            switch try pollEvent(timeout: clock.now.duration(to: deadline)) {
            case .record(let record):
                return record
            case .partitionEOF:
                if clock.now >= deadline { return nil }
            case nil:
                return nil
            }
        }
    }

    /// Waits up to `timeout` for the next record or end-of-partition marker.
    ///
    /// - Returns: the event, or `nil` if none arrived within `timeout`.
    public func pollEvent(timeout: Duration) throws(KafkaError) -> ConsumerEvent? {
        try ensureOpen()
        guard let message = rd_kafka_consumer_poll(handle, timeout.clampedMilliseconds) else { return nil }
        defer { rd_kafka_message_destroy(message) }
        switch message.pointee.err {
        case RD_KAFKA_RESP_ERR_NO_ERROR:
            return .record(ConsumerRecord(message: message, topic: NativeMessage.topicName(of: message)))
        case RD_KAFKA_RESP_ERR__PARTITION_EOF:
            return .partitionEOF(TopicPartitionOffset(
                topic: NativeMessage.topicName(of: message), partition: message.pointee.partition, offset: message.pointee.offset
            ))
        default:
            throw KafkaError(consumedMessage: message)
        }
    }

    /// Polls up to `maxRecords` records, waiting up to `timeout` for the first one.
    ///
    /// Records are copied; see ``pollBatch(maxMessages:timeout:onPartitionEOF:_:)`` for the
    /// zero-copy variant, whose semantics (errors, end-of-partition) this shares.
    public func poll(maxRecords: Int, timeout: Duration) throws(KafkaError) -> [ConsumerRecord] {
        var records: [ConsumerRecord] = []
        do {
            try pollBatch(maxMessages: maxRecords, timeout: timeout) { message in
                records.append(message.makeRecord())
            }
        } catch let error as KafkaError {
            throw error
        } catch {
            // Unreachable: the body above does not throw, and pollBatch throws only KafkaError.
            throw KafkaError(code: .fail, message: "poll: \(error)")
        }
        return records
    }
}
