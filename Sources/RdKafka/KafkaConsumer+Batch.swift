import CRdKafka

extension KafkaConsumer {
    /// Takes up to `maxMessages` messages from the consumer queue and passes each to `body` as a
    /// borrowed view of librdkafka's buffers, without copying keys, values or headers.
    ///
    /// Waits up to `timeout` for the first message, then takes whatever else is ready. Rebalances
    /// and error callbacks are served during the call, on this thread, as with ``poll(timeout:)``.
    /// The messages are destroyed when the call returns.
    ///
    /// - Parameters:
    ///   - onPartitionEOF: called for end-of-partition markers (with `enable.partition.eof=true`)
    ///     with the next offset to be written; without it they are skipped.
    ///   - body: called for each message in order. If it throws, the error is rethrown and the rest
    ///     of the batch is dropped; the consumer's position is already past them, so ``seek(_:timeout:)``
    ///     to the first unprocessed offset to read them again.
    ///   - afterBatch: called once after `body` saw every message (also for an empty batch),
    ///     while the messages are still alive: keys, values and headers that `body` kept as
    ///     pointers may be read until it returns, never after. Not called when `body` throws.
    /// - Returns: the number of messages passed to `body`.
    /// - Throws: the error of `body` or `afterBatch`, or else the first consumer error among the
    ///   batch's messages, after all other messages have been passed to `body` and `afterBatch`
    ///   has run.
    @discardableResult
    public func pollBatch(
        maxMessages: Int,
        timeout: Duration,
        onPartitionEOF: ((TopicPartitionOffset) throws -> Void)? = nil,
        _ body: (borrowing KafkaMessageView) throws -> Void,
        afterBatch: () throws -> Void = {}
    ) throws -> Int {
        try ensureOpen()
        // A reference per call (not one kept open) because librdkafka wants every reference to the
        // consumer queue gone before rd_kafka_consumer_close.
        guard let queue = rd_kafka_queue_get_consumer(handle) else {
            throw KafkaError(code: .unknownGroup, message: "the consumer has no consumer queue (no group.id)")
        }
        defer { rd_kafka_queue_destroy(queue) }
        let capacity = max(1, maxMessages)
        return try batchBuffer.withPointers(count: capacity) { base, topicNames in
            let count = try Self.consume(queue, into: base, capacity: capacity, timeout: timeout)
            defer {
                for index in 0..<count { if let message = base[index] { rd_kafka_message_destroy(message) } }
            }
            var delivered = 0
            var firstError: KafkaError?
            // All messages of the batch are alive here, so their topic handles are too: comparing
            // handles is enough to reuse the last topic name and skip a lookup per message.
            guard let first = (0..<count).lazy.compactMap({ base[$0] }).first else {
                try afterBatch()
                return 0
            }
            var lastTopicHandle = first.pointee.rkt
            var view = KafkaMessageView(message: first, topic: topicNames.name(of: first))
            for index in 0..<count {
                guard let message = base[index] else { continue }
                let topicHandle = message.pointee.rkt
                if topicHandle != lastTopicHandle {
                    lastTopicHandle = topicHandle
                    view.topic = topicNames.name(of: message)
                }
                view.message = UnsafePointer(message)
                switch message.pointee.err {
                case RD_KAFKA_RESP_ERR_NO_ERROR:
                    try body(view)
                    delivered += 1
                case RD_KAFKA_RESP_ERR__PARTITION_EOF:
                    try onPartitionEOF?(TopicPartitionOffset(topic: view.topic, partition: message.pointee.partition, offset: message.pointee.offset))
                default:
                    if firstError == nil { firstError = KafkaError(consumedMessage: message) }
                }
            }
            try afterBatch()
            if let firstError { throw firstError }
            return delivered
        }
    }

    /// Fills `messages` from the queue: first whatever is ready, else waits for one message and
    /// then takes whatever else is ready. (One blocking call with the full capacity would wait
    /// for the whole batch or the whole timeout.)
    private static func consume(
        _ queue: OpaquePointer,
        into messages: UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>,
        capacity: Int,
        timeout: Duration
    ) throws(KafkaError) -> Int {
        func take(_ timeoutMilliseconds: Int32, at offset: Int, _ limit: Int) throws(KafkaError) -> Int {
            let taken = rd_kafka_consume_batch_queue(queue, timeoutMilliseconds, messages + offset, limit)
            if taken < 0 {
                throw KafkaError(responseError: rd_kafka_last_error(), context: "consume batch")
            }
            return taken
        }
        var count = try take(0, at: 0, capacity)
        let milliseconds = timeout.clampedMilliseconds
        if count == 0, milliseconds > 0 {
            count = try take(milliseconds, at: 0, 1)
            if count > 0, capacity > 1 {
                count += try take(0, at: count, capacity - count)
            }
        }
        return count
    }
}
