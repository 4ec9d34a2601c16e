/// An error reported by librdkafka or by this binding.
///
/// librdkafka errors carry its numeric error code (``code``, with Swift names in ``Code``) and,
/// where librdkafka provides them (transactional calls, fatal producer errors), the classification
/// flags ``isFatal``, ``isRetriable`` and ``transactionRequiresAbort``.
///
/// Invalid configuration is reported with ``Kind-swift.enum/configuration`` and the offending key
/// in ``configurationKey``, at construction of the client.
///
/// ```swift
/// do {
///     try producer.flush(timeout: .seconds(5))
/// } catch let error where error.errorCode == .timedOut {
///     // messages are still in flight
/// }
/// ```
public struct KafkaError: Error, CustomStringConvertible, Sendable, Hashable {
    /// What kind of problem the error describes.
    public enum Kind: Sendable, Hashable {
        /// An error code from librdkafka or from the broker.
        case kafka
        /// A configuration property was unknown, had an invalid value, or properties conflict.
        case configuration
    }

    /// What kind of problem the error describes.
    public var kind: Kind
    /// librdkafka's error code (`rd_kafka_resp_err_t`): negative values are local to the client,
    /// positive values are Kafka protocol errors. See ``Code`` for names.
    public var code: Int32
    /// A human-readable explanation, naming the topic, group or configuration key when there is one.
    public var message: String
    /// The configuration property that was rejected, for ``Kind-swift.enum/configuration`` errors.
    public var configurationKey: String?
    /// The client instance can no longer be used (for example a fenced transactional producer):
    /// it must be destroyed and a new one created.
    public var isFatal: Bool
    /// The operation may succeed if it is retried.
    public var isRetriable: Bool
    /// The current transaction failed and must be aborted with
    /// ``KafkaProducer/abortTransaction(timeout:)`` before a new one can begin.
    public var transactionRequiresAbort: Bool

    /// Creates an error, for example to inject faults in tests of code that handles Kafka errors.
    public init(
        code: Code,
        message: String,
        isFatal: Bool = false,
        isRetriable: Bool = false,
        transactionRequiresAbort: Bool = false
    ) {
        self.kind = .kafka
        self.code = code.rawValue
        self.message = message
        self.configurationKey = nil
        self.isFatal = isFatal
        self.isRetriable = isRetriable
        self.transactionRequiresAbort = transactionRequiresAbort
    }

    /// Creates a configuration error naming the rejected property.
    public static func configuration(key: String?, message: String) -> KafkaError {
        var error = KafkaError(code: .invalidArgument, message: message)
        error.kind = .configuration
        error.configurationKey = key
        return error
    }

    /// The error code as a ``Code``, to compare against its named constants.
    public var errorCode: Code { Code(rawValue: code) }

    /// The error means this producer was fenced by a newer instance with the same
    /// `transactional.id` (or its epoch is no longer valid): it must be closed and replaced.
    public var isFenced: Bool {
        switch errorCode {
        case .fenced, .producerFenced, .invalidProducerEpoch: return true
        default: return false
        }
    }

    public var description: String {
        var flags: [String] = []
        if isFatal { flags.append("fatal") }
        if isRetriable { flags.append("retriable") }
        if transactionRequiresAbort { flags.append("abort required") }
        let suffix = flags.isEmpty ? "" : " [\(flags.joined(separator: ", "))]"
        switch kind {
        case .configuration:
            return "KafkaError.configuration(\(configurationKey ?? "-")): \(message)"
        case .kafka:
            return "KafkaError(\(errorCode.name), \(code)): \(message)\(suffix)"
        }
    }

    /// Matches an error against a code in `switch` and `catch` patterns.
    public static func ~= (pattern: Code, value: KafkaError) -> Bool {
        value.code == pattern.rawValue
    }
}
