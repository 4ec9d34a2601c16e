import CRdKafka
import Logging

/// Cluster administration: topics (create, delete, describe) and consumer groups (describe).
///
/// Each call waits for its own result queue up to its timeout, so calls may run concurrently.
///
/// ```swift
/// let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: "localhost:9092"))
/// do {
///     try admin.createTopics([NewTopic(name: "counts", partitions: 4, configs: ["cleanup.policy": "compact"])],
///                            timeout: .seconds(30))
/// } catch let error where error.errorCode == .topicAlreadyExists {}
/// ```
public final class KafkaAdmin: @unchecked Sendable {
    // Sendable: the admin client's rd_kafka_t is thread-safe, and each call uses its own result
    // queue, so every method may be called from any thread at once.
    let handle: OpaquePointer
    let callbacks: ClientCallbacks

    /// The configuration the admin client was created with.
    public let configuration: KafkaConfiguration

    /// The logger that receives librdkafka's log lines and errors.
    public var logger: Logger { callbacks.logger }

    /// Creates an admin client.
    ///
    /// - Parameters:
    ///   - configuration: librdkafka properties, with `bootstrap.servers`.
    ///   - logger: receives librdkafka's log lines and global errors.
    ///   - errorHandler: called with global client errors (such as all brokers down), served at
    ///     the start of each admin call. Also available afterwards as ``lastError``.
    /// - Throws: ``KafkaError`` of kind ``KafkaError/Kind-swift.enum/configuration`` for an
    ///   unknown property, an invalid value or conflicting properties.
    public init(
        configuration: KafkaConfiguration,
        logger: Logger = Logger(label: "rdkafka"),
        errorHandler: (@Sendable (KafkaError) -> Void)? = nil
    ) throws(KafkaError) {
        self.configuration = configuration
        self.callbacks = ClientCallbacks(logger: logger, errorHandler: errorHandler)
        self.handle = try callbacks.makeHandle(type: RD_KAFKA_PRODUCER, configuration: configuration)
    }

    deinit {
        rd_kafka_destroy(handle)
    }

    /// The last global error reported by librdkafka's error callback, if any.
    public var lastError: KafkaError? {
        rd_kafka_poll(handle, 0)
        return callbacks.lastError
    }

    /// Metadata for all topics and brokers of the cluster.
    public func metadata(timeout: Duration) throws(KafkaError) -> ClusterMetadata {
        rd_kafka_poll(handle, 0)
        return try ClusterMetadata.fetch(handle: handle, topic: nil, timeout: timeout)
    }

    /// Describes topics (partitions, leaders, replicas), in the order asked, without creating them.
    ///
    /// - Throws: ``KafkaError/Code/unknownTopicOrPartition`` naming the first missing topic.
    public func describeTopics(_ names: [String], timeout: Duration) throws(KafkaError) -> [ClusterMetadata.Topic] {
        // All topics are requested because a request for one topic may auto-create it.
        let metadata = try metadata(timeout: timeout)
        var topics: [ClusterMetadata.Topic] = []
        for name in names {
            guard let topic = metadata.topic(named: name) else {
                throw KafkaError(code: .unknownTopicOrPartition, message: "topic \(name): does not exist")
            }
            if let error = topic.error { throw error }
            topics.append(topic)
        }
        return topics
    }

    /// Runs one admin request on its own queue and reads its result event.
    func request<Result>(
        _ operation: rd_kafka_admin_op_t,
        _ description: String,
        timeout: Duration,
        operationTimeout: Bool = false,
        start: (_ options: OpaquePointer, _ queue: OpaquePointer) -> Void,
        read: (_ event: OpaquePointer) throws(KafkaError) -> Result
    ) throws(KafkaError) -> Result {
        rd_kafka_poll(handle, 0)  // serve error and log events of the main queue
        guard let queue = rd_kafka_queue_new(handle) else {
            throw KafkaError(code: .fail, message: "\(description): cannot create a result queue")
        }
        defer { rd_kafka_queue_destroy(queue) }
        guard let options = rd_kafka_AdminOptions_new(handle, operation) else {
            throw KafkaError(code: .fail, message: "\(description): cannot create admin options")
        }
        defer { rd_kafka_AdminOptions_destroy(options) }
        let milliseconds = timeout.clampedMilliseconds
        var errorText = [CChar](repeating: 0, count: 512)
        var result = rd_kafka_AdminOptions_set_request_timeout(options, milliseconds, &errorText, errorText.count)
        if result == RD_KAFKA_RESP_ERR_NO_ERROR, operationTimeout {
            result = rd_kafka_AdminOptions_set_operation_timeout(options, milliseconds, &errorText, errorText.count)
        }
        if result != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(responseError: result, context: description, detail: String(nativeBuffer: errorText))
        }
        start(options, queue)
        // librdkafka answers with a timed-out result itself; the margin lets that answer (with
        // its more precise message) arrive first.
        let wait = milliseconds > Int32.max - 1000 ? Int32.max : milliseconds + 1000
        guard let event = rd_kafka_queue_poll(queue, wait) else {
            throw KafkaError(code: .timedOut, message: "\(description): no result within \(timeout)")
        }
        defer { rd_kafka_event_destroy(event) }
        let eventError = rd_kafka_event_error(event)
        if eventError != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(
                responseError: eventError,
                context: description,
                detail: rd_kafka_event_error_string(event).map { String(cString: $0) }
            )
        }
        return try read(event)
    }
}
