import Logging

/// What a handler decides about a record that failed.
public enum ExceptionHandlerResponse: Sendable, Hashable {
    /// Skip the record and go on.
    case `continue`
    /// Skip the record, send its original bytes to a dead-letter topic, and go on.
    case deadLetter(topic: String)
    /// Stop: the stream thread fails with the error.
    case fail
}

/// Where a failed record was when it failed.
public struct ErrorHandlerContext: Sendable {
    /// Topic, partition and offset of the input record (absent in punctuations).
    public var recordMetadata: RecordMetadata?
    /// The task, as `subtopology_partition`.
    public var taskID: String
    /// The processor that failed, when a processor failed.
    public var processorNode: String?
    /// The original key and value bytes of the input record, when known.
    public var rawKey: [UInt8]?
    public var rawValue: [UInt8]?
    public var timestamp: Int64
}

/// Decides about records whose key or value cannot be deserialized.
///
/// The default, ``logAndFail``, stops processing with the error so that nothing is silently lost.
public struct DeserializationExceptionHandler: Sendable {
    let decide: @Sendable (ErrorHandlerContext, SerdeError) -> ExceptionHandlerResponse

    public init(_ decide: @escaping @Sendable (ErrorHandlerContext, SerdeError) -> ExceptionHandlerResponse) {
        self.decide = decide
    }

    /// Logs the record's position and fails.
    public static let logAndFail = DeserializationExceptionHandler { _, _ in .fail }
    /// Logs the record's position, skips it, and counts it in `dropped-records`.
    public static let logAndContinue = DeserializationExceptionHandler { _, _ in .continue }
    /// Sends the original record to `topic` (headers say why), and goes on.
    public static func deadLetterQueue(topic: String) -> DeserializationExceptionHandler {
        DeserializationExceptionHandler { _, _ in .deadLetter(topic: topic) }
    }
}

/// Decides about records that a processor threw on (KIP-1033).
///
/// The default, ``logAndFail``, stops processing with the error.
public struct ProcessingExceptionHandler: Sendable {
    let decide: @Sendable (ErrorHandlerContext, any Error) -> ExceptionHandlerResponse

    public init(_ decide: @escaping @Sendable (ErrorHandlerContext, any Error) -> ExceptionHandlerResponse) {
        self.decide = decide
    }

    public static let logAndFail = ProcessingExceptionHandler { _, _ in .fail }
    public static let logAndContinue = ProcessingExceptionHandler { _, _ in .continue }
    public static func deadLetterQueue(topic: String) -> ProcessingExceptionHandler {
        ProcessingExceptionHandler { _, _ in .deadLetter(topic: topic) }
    }
}

/// Decides about records that could not be produced (for example, too large for the topic).
///
/// The default fails. Retriable broker errors are retried by the client before this is asked.
public struct ProductionExceptionHandler: Sendable {
    let decide: @Sendable (ErrorHandlerContext?, any Error) -> ExceptionHandlerResponse

    public init(_ decide: @escaping @Sendable (ErrorHandlerContext?, any Error) -> ExceptionHandlerResponse) {
        self.decide = decide
    }

    public static let fail = ProductionExceptionHandler { _, _ in .fail }
    public static let logAndContinue = ProductionExceptionHandler { _, _ in .continue }
}
