import CRdKafka
import Logging

/// A Kafka producer, idempotent by default, with optional transactions.
///
/// ```swift
/// let producer = try KafkaProducer(
///     configuration: KafkaConfiguration(bootstrapServers: "localhost:9092"),
///     deliveryReportHandler: { report in if let error = report.error { print(report.tag, error) } }
/// )
/// try producer.produce(topic: "orders", key: Array("k".utf8), value: Array("v".utf8), tag: 42)
/// try producer.flush(timeout: .seconds(10))
/// ```
///
/// `enable.idempotence` is set to `true` unless the configuration sets it: no duplicates and no
/// reordering on retries, at no cost that matters. Set it to `"false"` to opt out (needed for
/// `acks` other than `all`).
///
/// Delivery reports, error callbacks and log lines of the `poll`ing thread are delivered only while
/// some thread calls ``poll(timeout:)``, ``flush(timeout:)`` or a transactional method: poll
/// regularly (for example after each batch of `produce` calls).
///
/// Release the producer only after ``flush(timeout:)``: releasing it destroys messages still
/// queued (their delivery reports are not delivered).
public final class KafkaProducer: @unchecked Sendable {
    // Sendable: librdkafka's producer handle (`rd_kafka_t`) is thread-safe. produce, poll, flush,
    // outQueueLength and metadata calls may come from any thread at once; delivery reports run on
    // whichever thread is in poll/flush. The transactional calls (init/begin/sendOffsets/commit/
    // abort) must be made one at a time, in order, by one thread at a time.
    let handle: OpaquePointer
    let callbacks: ClientCallbacks

    /// The configuration the producer was created with, including defaults added by this binding.
    public let configuration: KafkaConfiguration

    /// The logger that receives librdkafka's log lines and errors.
    public var logger: Logger { callbacks.logger }

    /// Creates a producer.
    ///
    /// - Parameters:
    ///   - configuration: librdkafka producer properties; `bootstrap.servers` is needed to send.
    ///   - logger: receives librdkafka's log lines (from librdkafka's threads) and global errors.
    ///   - errorHandler: called with global client errors (such as all brokers down), on the thread
    ///     that polls. Also available afterwards as ``lastError``.
    ///   - deliveryReportHandler: called once per produced message, on the thread that polls.
    ///   - deliveryReports: which reports reach the handler: all of them (default), or only
    ///     failures and messages produced with a non-zero `tag`, which skips the per-message work
    ///     for the rest (a stream thread only needs those).
    ///     Without it, failed deliveries are logged at `warning`.
    ///   - taggedOffsets: with `deliveryReports: .failuresAndTagged`, receives the successful
    ///     tagged deliveries instead of `deliveryReportHandler`, as their tag, partition and
    ///     offset: no ``DeliveryReport`` (with its topic `String`) is made for them.
    /// - Throws: ``KafkaError`` of kind ``KafkaError/Kind-swift.enum/configuration`` for an
    ///   unknown property, an invalid value or conflicting properties.
    public init(
        configuration: KafkaConfiguration,
        logger: Logger = Logger(label: "rdkafka"),
        errorHandler: (@Sendable (KafkaError) -> Void)? = nil,
        deliveryReportHandler: (@Sendable (DeliveryReport) -> Void)? = nil,
        deliveryReports: DeliveryReportScope = .all,
        taggedOffsets: (@Sendable (_ tag: UInt64, _ partition: Int32, _ offset: Int64) -> Void)? = nil
    ) throws(KafkaError) {
        var effective = configuration
        let defaultedIdempotence = effective["enable.idempotence"] == nil
        if defaultedIdempotence { effective["enable.idempotence"] = "true" }
        self.configuration = effective
        self.callbacks = ClientCallbacks(
            logger: logger, errorHandler: errorHandler, deliveryReportHandler: deliveryReportHandler,
            deliveryReportScope: deliveryReports, taggedOffsetHandler: taggedOffsets)
        do {
            self.handle = try callbacks.makeHandle(type: RD_KAFKA_PRODUCER, configuration: effective) { conf in
                rd_kafka_conf_set_dr_msg_cb(conf, deliveryReportCallback)
            }
        } catch {
            var error = error
            if defaultedIdempotence, error.kind == .configuration {
                error.message += " (this binding sets enable.idempotence=true by default: set it to \"false\" to opt out)"
            }
            throw error
        }
    }

    deinit {
        rd_kafka_destroy(handle)
    }

    /// The client's name as librdkafka reports it (`client.id` and an instance number).
    public var name: String { rd_kafka_name(handle).map { String(cString: $0) } ?? "" }

    /// Serves delivery reports and error callbacks, waiting up to `timeout` for the first one.
    ///
    /// - Returns: the number of events served.
    @discardableResult
    public func poll(timeout: Duration = .zero) -> Int {
        Int(rd_kafka_poll(handle, timeout.clampedMilliseconds))
    }

    /// Waits until all queued and in-flight messages are delivered (or failed), serving delivery
    /// reports meanwhile.
    ///
    /// - Throws: ``KafkaError/Code/timedOut`` if messages are still outstanding after `timeout`.
    public func flush(timeout: Duration) throws(KafkaError) {
        let result = rd_kafka_flush(handle, timeout.clampedMilliseconds)
        if result != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(responseError: result, context: "flush: \(outQueueLength) messages or requests still outstanding")
        }
    }

    /// The number of messages and requests waiting to be sent or acknowledged, plus delivery
    /// reports not yet served by ``poll(timeout:)``.
    public var outQueueLength: Int { Int(rd_kafka_outq_len(handle)) }

    /// The fatal error that made this producer unusable (for example fencing), if any.
    public var fatalError: KafkaError? { KafkaError.fatal(of: handle) }

    /// The last global error reported by librdkafka's error callback, if any.
    public var lastError: KafkaError? { callbacks.lastError }
}
