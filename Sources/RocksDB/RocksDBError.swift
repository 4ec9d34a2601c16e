internal import CRocksDB

/// An error reported by RocksDB or by this binding.
///
/// ``message`` carries RocksDB's own status text (for example
/// `IO error: While lock file: /data/store/LOCK: Resource temporarily unavailable`),
/// so it can be logged as is.
public struct RocksDBError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A coarse classification of a ``RocksDBError``, so callers can react without parsing text.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: Sendable, Hashable {
            case databaseClosed
            case invalidArgument
            case ioError
            case corruption
            case notFound
            case notSupported
            case busy
            case other
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The ``RocksDB`` was closed before the operation.
        public static let databaseClosed = Code(.databaseClosed)
        /// An argument or option was rejected (`Invalid argument:`).
        public static let invalidArgument = Code(.invalidArgument)
        /// A file system operation failed, including a database locked by someone else (`IO error:`).
        public static let ioError = Code(.ioError)
        /// Data on disk is corrupt (`Corruption:`); a state store would wipe and restore it.
        public static let corruption = Code(.corruption)
        /// Something RocksDB looked for does not exist (`Not found:`).
        public static let notFound = Code(.notFound)
        /// The operation is not supported by this build or configuration (`Not implemented:`).
        public static let notSupported = Code(.notSupported)
        /// A resource is busy or an operation timed out (`Resource busy:`, `Operation timed out`, …).
        public static let busy = Code(.busy)
        /// Any other status.
        public static let other = Code(.other)

        /// The name of the code, such as `ioError`.
        public var description: String {
            switch self.base {
            case .databaseClosed: "databaseClosed"
            case .invalidArgument: "invalidArgument"
            case .ioError: "ioError"
            case .corruption: "corruption"
            case .notFound: "notFound"
            case .notSupported: "notSupported"
            case .busy: "busy"
            case .other: "other"
            }
        }
    }

    /// The classification of this error.
    public var code: Code

    /// The human-readable message, RocksDB's status text where RocksDB reported the error.
    public var message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// The code and the message, for logs.
    public var description: String {
        "RocksDBError(\(self.code)): \(self.message)"
    }
}

extension RocksDBError {
    static let databaseClosed = RocksDBError(code: .databaseClosed, message: "database is closed")

    static func invalidArgument(_ message: String) -> RocksDBError {
        RocksDBError(code: .invalidArgument, message: message)
    }

    /// Classifies RocksDB's status text by the prefix that `Status::ToString()` writes.
    init(statusMessage: String) {
        let code: Code =
            if statusMessage.hasPrefix("Invalid argument") {
                .invalidArgument
            } else if statusMessage.hasPrefix("IO error") {
                .ioError
            } else if statusMessage.hasPrefix("Corruption") {
                .corruption
            } else if statusMessage.hasPrefix("NotFound") || statusMessage.hasPrefix("Not found") {
                .notFound
            } else if statusMessage.hasPrefix("Not implemented") {
                .notSupported
            } else if statusMessage.hasPrefix("Resource busy") || statusMessage.hasPrefix("Operation timed out")
                || statusMessage.hasPrefix("Result incomplete") || statusMessage.hasPrefix("Operation aborted")
                || statusMessage.hasPrefix("Operation failed. Try again.")
            {
                .busy
            } else {
                .other
            }
        self.init(code: code, message: statusMessage)
    }
}

/// Calls a C function that reports failure through a `char** errptr`, and turns a set error into a
/// thrown ``RocksDBError``, freeing RocksDB's string.
@inline(__always)
func withStatus<Result>(_ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Result) throws(RocksDBError)
    -> Result
{
    var error: UnsafeMutablePointer<CChar>? = nil
    let result = body(&error)
    if let error {
        let message = String(cString: error)
        rocksdb_free(error)
        throw RocksDBError(statusMessage: message)
    }
    return result
}
