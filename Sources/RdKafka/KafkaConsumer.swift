import CRdKafka
import Logging
import Synchronization

/// A Kafka consumer in a consumer group: subscribe (with rebalance events) or assign partitions,
/// then poll records, one at a time, in owned batches, or zero-copy batches.
///
/// ```swift
/// let consumer = try KafkaConsumer(configuration: [
///     "bootstrap.servers": "localhost:9092",
///     "group.id": "orders-service",
///     "auto.offset.reset": "earliest",
/// ])
/// try consumer.subscribe(topics: ["orders"]) { event in print(event.kind, event.partitions) }
/// while running {
///     if let record = try consumer.poll(timeout: .milliseconds(100)) { handle(record) }
/// }
/// consumer.close()
/// ```
///
/// A `group.id` is required: librdkafka's consumer needs one to subscribe, assign and poll (use
/// `enable.auto.commit=false` for a consumer that only reads assigned partitions).
///
/// Rebalances are handled by the consumer itself: it assigns and unassigns partitions (eagerly
/// or incrementally, following the group's protocol) around the rebalance handler's call.
/// Offsets are committed automatically unless `enable.auto.commit=false`; then use ``commit(_:)``.
public final class KafkaConsumer: @unchecked Sendable {
    // Sendable: librdkafka's consumer handle is thread-safe, but polling is not a shared activity.
    // Call poll, pollEvent, pollBatch and close from one thread (the polling thread): rebalance
    // handlers and error callbacks run on it, inside those calls. The other methods (commit,
    // committed, seek, pause, resume, position, assignment, watermark offsets, metadata,
    // groupMetadata) may be called from any thread, including from within the rebalance handler.
    let handle: OpaquePointer
    let callbacks: ClientCallbacks
    private let state = Mutex<State>(.open)
    /// Reused by ``pollBatch(maxMessages:timeout:onPartitionEOF:_:)``; it guards itself, so a
    /// poll from a second thread against the rule above allocates rather than shares it.
    let batchBuffer = MessageBatchBuffer()

    private enum State { case open, closing, closed }

    /// The configuration the consumer was created with.
    public let configuration: KafkaConfiguration

    /// The logger that receives librdkafka's log lines and errors.
    public var logger: Logger { callbacks.logger }

    /// Creates a consumer.
    ///
    /// - Parameters:
    ///   - configuration: librdkafka consumer properties, including `bootstrap.servers` and
    ///     `group.id`.
    ///   - logger: receives librdkafka's log lines (from librdkafka's threads) and global errors.
    ///   - errorHandler: called with global client errors (such as all brokers down) on the polling
    ///     thread. Also available afterwards as ``lastError``.
    /// - Throws: ``KafkaError`` of kind ``KafkaError/Kind-swift.enum/configuration`` for an
    ///   unknown property, an invalid value, conflicting properties or a missing `group.id`.
    public init(
        configuration: KafkaConfiguration,
        logger: Logger = Logger(label: "rdkafka"),
        errorHandler: (@Sendable (KafkaError) -> Void)? = nil
    ) throws(KafkaError) {
        if configuration["group.id"]?.isEmpty ?? true {
            throw KafkaError.configuration(
                key: "group.id",
                message: "group.id: a consumer needs a group id (set enable.auto.commit=false for one that only assigns partitions)"
            )
        }
        self.configuration = configuration
        self.callbacks = ClientCallbacks(logger: logger, errorHandler: errorHandler)
        let handle = try callbacks.makeHandle(type: RD_KAFKA_CONSUMER, configuration: configuration) { conf in
            rd_kafka_conf_set_rebalance_cb(conf, rebalanceCallback)
        }
        // Errors and other main-queue events are then served by the consumer's own poll calls.
        let forwarded = rd_kafka_poll_set_consumer(handle)
        if forwarded != RD_KAFKA_RESP_ERR_NO_ERROR {
            rd_kafka_destroy(handle)
            throw KafkaError(responseError: forwarded, context: "rd_kafka_poll_set_consumer")
        }
        self.handle = handle
    }

    deinit {
        if state.withLock({ $0 }) != .closed {
            rd_kafka_consumer_close(handle)
        }
        rd_kafka_destroy(handle)
    }

    /// The client's name as librdkafka reports it (`client.id` and an instance number).
    public var name: String { rd_kafka_name(handle).map { String(cString: $0) } ?? "" }

    /// The last global error reported by librdkafka's error callback, if any.
    public var lastError: KafkaError? { callbacks.lastError }

    /// The fatal error that made this consumer unusable (for example a fenced static member).
    public var fatalError: KafkaError? { KafkaError.fatal(of: handle) }

    /// Whether ``close()`` has been called.
    public var isClosed: Bool { state.withLock { $0 } != .open }

    /// Subscribes to topics (names, or regular expressions starting with `^`), replacing any
    /// previous subscription.
    ///
    /// - Parameter rebalanceHandler: called on the polling thread for every assignment change;
    ///   see ``RebalanceEvent/Kind-swift.enum`` for what the consumer does before and after it.
    ///   It is released by ``close()``; capture the consumer weakly in it to avoid a cycle.
    public func subscribe(topics: [String], rebalanceHandler: (@Sendable (RebalanceEvent) -> Void)? = nil) throws(KafkaError) {
        try ensureOpen()
        callbacks.rebalanceHandler.withLock { $0 = rebalanceHandler }
        let list = try NativeTopicPartitionList(topics: topics)
        try KafkaError.check(rd_kafka_subscribe(handle, list.pointer), context: "subscribe to \(topics)")
    }

    /// Leaves the subscription: the current assignment is revoked (the rebalance handler runs on
    /// the next poll).
    public func unsubscribe() throws(KafkaError) {
        try KafkaError.check(rd_kafka_unsubscribe(handle), context: "unsubscribe")
    }

    /// The subscribed topics.
    public func subscription() throws(KafkaError) -> [String] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        try KafkaError.check(rd_kafka_subscription(handle, &list), context: "subscription")
        defer { if let list { rd_kafka_topic_partition_list_destroy(list) } }
        return NativeTopicPartitionList.partitions(of: list).map(\.topic)
    }

    /// Replaces the assignment with these partitions, starting at their offsets (or
    /// ``KafkaOffset/stored`` for the committed offset). An empty list unassigns everything.
    ///
    /// For consumers that do not subscribe; a subscribed consumer's assignment belongs to the group.
    public func assign(_ partitions: [TopicPartitionOffset]) throws(KafkaError) {
        try ensureOpen()
        if partitions.isEmpty {
            try KafkaError.check(rd_kafka_assign(handle, nil), context: "unassign")
        } else {
            let list = try NativeTopicPartitionList(partitions)
            try KafkaError.check(rd_kafka_assign(handle, list.pointer), context: "assign \(partitions)")
        }
    }

    /// Adds partitions to the current assignment, starting at their offsets.
    public func incrementalAssign(_ partitions: [TopicPartitionOffset]) throws(KafkaError) {
        try ensureOpen()
        let list = try NativeTopicPartitionList(partitions)
        if let error = KafkaError.consuming(rd_kafka_incremental_assign(handle, list.pointer), context: "incremental assign \(partitions)") {
            throw error
        }
    }

    /// Removes partitions from the current assignment.
    public func incrementalUnassign(_ partitions: [TopicPartition]) throws(KafkaError) {
        try ensureOpen()
        let list = try NativeTopicPartitionList(partitions)
        if let error = KafkaError.consuming(rd_kafka_incremental_unassign(handle, list.pointer), context: "incremental unassign \(partitions)") {
            throw error
        }
    }

    /// The partitions currently assigned to this consumer.
    public func assignment() throws(KafkaError) -> [TopicPartition] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        try KafkaError.check(rd_kafka_assignment(handle, &list), context: "assignment")
        defer { if let list { rd_kafka_topic_partition_list_destroy(list) } }
        return NativeTopicPartitionList.partitions(of: list)
    }

    /// Leaves the group (revoking the assignment: the rebalance handler runs on this thread),
    /// commits offsets if auto-commit is on, and stops fetching. Idempotent; call it from the
    /// polling thread. Released consumers are closed automatically.
    public func close() {
        let shouldClose = state.withLock { state -> Bool in
            guard state == .open else { return false }
            state = .closing
            return true
        }
        guard shouldClose else { return }
        callbacks.isClosing.store(true, ordering: .releasing)
        let result = rd_kafka_consumer_close(handle)
        state.withLock { $0 = .closed }
        callbacks.rebalanceHandler.withLock { $0 = nil }
        if result != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning("consumer close failed", metadata: ["rdkafka.error": "\(KafkaError(responseError: result))"])
        }
    }

    func ensureOpen() throws(KafkaError) {
        if state.withLock({ $0 }) != .open {
            throw KafkaError(code: .state, message: "the consumer is closed")
        }
    }
}
