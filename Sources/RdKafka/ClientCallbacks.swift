import CRdKafka
import Logging
import Synchronization

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The Swift side of a client's librdkafka callbacks, reached through the configuration opaque.
///
/// The owning client keeps it alive until after `rd_kafka_destroy` returns, so librdkafka never
/// calls back into a released object; the opaque pointer is therefore unretained.
final class ClientCallbacks: Sendable {
    let logger: Logger
    let errorHandler: (@Sendable (KafkaError) -> Void)?
    let deliveryReportHandler: (@Sendable (DeliveryReport) -> Void)?
    /// Which delivery reports reach the handler.
    let deliveryReportScope: DeliveryReportScope
    /// Successful tagged deliveries, as (tag, partition, offset), instead of through
    /// `deliveryReportHandler` (no `DeliveryReport` or topic `String` built for them).
    let taggedOffsetHandler: (@Sendable (_ tag: UInt64, _ partition: Int32, _ offset: Int64) -> Void)?
    /// Set by `subscribe`, read by the rebalance callback on the polling thread.
    let rebalanceHandler = Mutex<(@Sendable (RebalanceEvent) -> Void)?>(nil)
    /// Set by `withRebalanceHandler` for the duration of its body: the address of a non-escaping
    /// handler on the stack of the thread that polls. Takes precedence over `rebalanceHandler`.
    /// Kept as an address (0 = none) because raw pointers are not `Sendable`.
    let scopedRebalanceHandler = Atomic<UInt>(0)
    /// Set by the consumer's `close` before it asks librdkafka to close: assignments that
    /// arrive from then on are declined (see the rebalance callback).
    let isClosing = Atomic<Bool>(false)
    private let lastErrorStorage = Mutex<KafkaError?>(nil)
    /// The topic of the last delivery report: reports come in runs of one topic, and making a
    /// `String` from the C name costs an allocation per report.
    private let lastReportTopic = Mutex<String>("")

    init(
        logger: Logger,
        errorHandler: (@Sendable (KafkaError) -> Void)? = nil,
        deliveryReportHandler: (@Sendable (DeliveryReport) -> Void)? = nil,
        deliveryReportScope: DeliveryReportScope = .all,
        taggedOffsetHandler: (@Sendable (UInt64, Int32, Int64) -> Void)? = nil
    ) {
        self.deliveryReportScope = deliveryReportScope
        self.taggedOffsetHandler = taggedOffsetHandler
        self.logger = logger
        self.errorHandler = errorHandler
        self.deliveryReportHandler = deliveryReportHandler
    }

    var lastError: KafkaError? { lastErrorStorage.withLock { $0 } }

    func recordError(_ error: KafkaError) {
        lastErrorStorage.withLock { $0 = error }
        errorHandler?(error)
    }

    /// The name of a delivery report's topic, reusing the last report's `String` when equal.
    func reportTopicName(_ name: UnsafePointer<CChar>) -> String {
        lastReportTopic.withLock { last in
            if last.withCString({ strcmp($0, name) }) != 0 { last = String(cString: name) }
            return last
        }
    }

    var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    static func from(_ opaque: UnsafeMutableRawPointer?) -> ClientCallbacks? {
        guard let opaque else { return nil }
        return Unmanaged<ClientCallbacks>.fromOpaque(opaque).takeUnretainedValue()
    }

    /// Creates an `rd_kafka_t` of the given type with logging and error callbacks installed.
    /// `configure` may install further callbacks on the native configuration before creation.
    func makeHandle(
        type: rd_kafka_type_t,
        configuration: KafkaConfiguration,
        configure: (OpaquePointer) -> Void = { _ in }
    ) throws(KafkaError) -> OpaquePointer {
        let conf = try configuration.makeNativeConfiguration()
        rd_kafka_conf_set_opaque(conf, opaque)
        rd_kafka_conf_set_log_cb(conf, logCallback)
        rd_kafka_conf_set_error_cb(conf, errorCallback)
        configure(conf)
        var errorText = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(type, conf, &errorText, errorText.count) else {
            // rd_kafka_new takes ownership of the configuration only on success.
            rd_kafka_conf_destroy(conf)
            let detail = String(nativeBuffer: errorText)
            throw KafkaError.configuration(key: nil, message: "cannot create client: \(detail)")
        }
        return handle
    }
}

// Called from librdkafka's internal threads: only Sendable state is touched.
private let logCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = {
    handle, level, facility, text in
    guard let handle, let callbacks = ClientCallbacks.from(rd_kafka_opaque(handle)) else { return }
    let swiftLevel = Logger.Level(syslogLevel: level)
    guard callbacks.logger.logLevel <= swiftLevel else { return }
    let message = text.map { String(cString: $0) } ?? ""
    callbacks.logger.log(
        level: swiftLevel,
        "\(message)",
        metadata: [
            "rdkafka.facility": "\(facility.map { String(cString: $0) } ?? "")",
            "rdkafka.client": "\(rd_kafka_name(handle).map { String(cString: $0) } ?? "")",
        ]
    )
}

// Called on the thread that serves the main queue (poll/flush, or consumer poll).
private let errorCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
    handle, code, reason, opaque in
    guard let callbacks = ClientCallbacks.from(opaque) else { return }
    var error = KafkaError(
        responseError: rd_kafka_resp_err_t(rawValue: code),
        detail: reason.map { String(cString: $0) }
    )
    if code == KafkaError.Code.fatal.rawValue, let handle, let fatal = KafkaError.fatal(of: handle) {
        error = fatal
    }
    callbacks.logger.log(
        level: error.isFatal ? .error : .warning,
        "librdkafka error: \(error)",
        metadata: handle.flatMap { rd_kafka_name($0) }.map { ["rdkafka.client": "\(String(cString: $0))"] }
    )
    callbacks.recordError(error)
}
