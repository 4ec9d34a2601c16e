/// A value could not be converted to or from bytes.
public struct SerdeError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// The bytes were Kafka's null but the serde's type cannot be null.
        case unexpectedNull
        /// The bytes do not have the size the format needs.
        case wrongSize(expected: Int, actual: Int)
        /// The bytes are not valid for the format.
        case invalidData
    }

    /// What went wrong.
    public let kind: Kind
    /// The serde that failed.
    public let serde: String
    /// Details for people.
    public let message: String

    public init(kind: Kind, serde: String, message: String) {
        self.kind = kind
        self.serde = serde
        self.message = message
    }

    static func unexpectedNull(serde: String) -> SerdeError {
        SerdeError(
            kind: .unexpectedNull, serde: serde,
            message: "null where a non-optional value was expected (use .optional(...) to accept null)")
    }

    static func wrongSize(serde: String, expected: Int, actual: Int) -> SerdeError {
        SerdeError(
            kind: .wrongSize(expected: expected, actual: actual), serde: serde,
            message: "expected \(expected) bytes, got \(actual)")
    }

    public var description: String { "SerdeError(\(serde)): \(message)" }
}
