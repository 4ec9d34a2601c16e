import CRdKafka

extension KafkaProducer {
    /// Registers the producer's `transactional.id` with the transaction coordinator, fencing
    /// older producers with the same id and completing their pending transactions. Call once,
    /// before the first ``beginTransaction()``.
    ///
    /// - Throws: a ``KafkaError`` carrying librdkafka's ``KafkaError/isRetriable``,
    ///   ``KafkaError/isFatal`` and ``KafkaError/transactionRequiresAbort`` classification.
    public func initTransactions(timeout: Duration) throws(KafkaError) {
        try transactional(rd_kafka_init_transactions(handle, timeout.clampedMilliseconds), "init transactions")
    }

    /// Begins a transaction: messages produced from now on belong to it.
    public func beginTransaction() throws(KafkaError) {
        try transactional(rd_kafka_begin_transaction(handle), "begin transaction")
    }

    /// Adds a consumer group's offsets to the current transaction: they are committed if and only
    /// if the transaction commits. Each offset is the next record to consume (last processed + 1).
    ///
    /// - Parameter groupMetadata: from ``KafkaConsumer/groupMetadata()`` of the consumer that read
    ///   the input, so that a zombie instance of that consumer is fenced.
    public func sendOffsetsToTransaction(
        _ offsets: [TopicPartitionOffset],
        groupMetadata: ConsumerGroupMetadata,
        timeout: Duration
    ) throws(KafkaError) {
        let list = try NativeTopicPartitionList(offsets)
        try transactional(
            rd_kafka_send_offsets_to_transaction(handle, list.pointer, groupMetadata.pointer, timeout.clampedMilliseconds),
            "send offsets to transaction"
        )
    }

    /// Flushes the transaction's messages and commits it. Delivery reports are served meanwhile.
    ///
    /// On ``KafkaError/transactionRequiresAbort`` call ``abortTransaction(timeout:)``; on
    /// ``KafkaError/isRetriable`` call this again; on ``KafkaError/isFatal`` the producer is done.
    public func commitTransaction(timeout: Duration) throws(KafkaError) {
        try transactional(rd_kafka_commit_transaction(handle, timeout.clampedMilliseconds), "commit transaction")
    }

    /// Aborts the current transaction: its messages are discarded (for `read_committed`
    /// consumers) and queued ones are purged.
    public func abortTransaction(timeout: Duration) throws(KafkaError) {
        try transactional(rd_kafka_abort_transaction(handle, timeout.clampedMilliseconds), "abort transaction")
    }

    private func transactional(_ error: OpaquePointer?, _ operation: String) throws(KafkaError) {
        if let error = KafkaError.consuming(error, context: operation) { throw error }
    }
}
