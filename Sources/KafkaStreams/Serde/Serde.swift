/// Converts values of one Swift type to and from the bytes of a Kafka record's key or value.
///
/// A stream's key and value types are the types of its serdes, so mismatches are compile errors.
/// Built-in serdes are static members (`.string`, `.int64`, `.optional(.string)`, `.json(User.self)`),
/// so call sites read like Kafka Streams' `Serdes`.
///
/// Kafka's *null* (a record without key or value) is not a value of most Swift types: a serde of a
/// non-optional type throws ``SerdeError`` for null, which the deserialization exception handler
/// then sees. Use ``optional(_:)`` to read null as `nil`.
public struct Serde<Value>: Sendable {
    /// A short name used in error messages and topology descriptions.
    public let name: String

    // Usable from inlinable code so that ``optional(_:)`` is specialized where it is called.
    @usableFromInline let serializeInto: @Sendable (Value, inout [UInt8]) throws -> Bool

    @usableFromInline let deserializeFrom: @Sendable (UnsafeRawBufferPointer?) throws -> Value

    /// Which built-in serde this is, if one that source and sink nodes run themselves and whose
    /// optional has closures of its own (``optional(_:)``).
    @usableFromInline let builtIn: BuiltInSerde?

    /// Creates a serde from functions for non-null values.
    ///
    /// - Parameters:
    ///   - name: The name used in errors.
    ///   - serialize: Appends the bytes of a value to the buffer.
    ///   - deserialize: Reads a value from bytes that are valid only during the call.
    public init(
        name: String,
        serialize: @escaping @Sendable (Value, inout [UInt8]) throws -> Void,
        deserialize: @escaping @Sendable (UnsafeRawBufferPointer) throws -> Value
    ) {
        self.name = name
        self.serializeInto = { value, buffer in
            try serialize(value, &buffer)
            return true
        }
        self.deserializeFrom = { bytes in
            guard let bytes else { throw SerdeError.unexpectedNull(serde: name) }
            return try deserialize(bytes)
        }
        self.builtIn = nil
    }

    /// Creates a serde that handles Kafka's null itself.
    ///
    /// - Parameters:
    ///   - serialize: Appends the bytes of a value and returns `true`, or returns `false` for null.
    ///   - deserialize: Reads a value from bytes, or from `nil` for null.
    public init(
        name: String,
        serializeNullable serialize: @escaping @Sendable (Value, inout [UInt8]) throws -> Bool,
        deserializeNullable deserialize: @escaping @Sendable (UnsafeRawBufferPointer?) throws -> Value
    ) {
        self.init(
            name: name, serializeNullable: serialize, deserializeNullable: deserialize, builtIn: nil)
    }

    /// The nullable init with the built-in serdes' extras.
    @usableFromInline
    init(
        name: String,
        serializeNullable serialize: @escaping @Sendable (Value, inout [UInt8]) throws -> Bool,
        deserializeNullable deserialize: @escaping @Sendable (UnsafeRawBufferPointer?) throws -> Value,
        builtIn: BuiltInSerde?
    ) {
        self.name = name
        self.serializeInto = serialize
        self.deserializeFrom = deserialize
        self.builtIn = builtIn
    }

    /// Serializes a value; `nil` is Kafka's null.
    public func serialize(_ value: Value) throws -> [UInt8]? {
        var buffer: [UInt8] = []
        return try serializeInto(value, &buffer) ? buffer : nil
    }

    /// Serializes a value into a reusable buffer (cleared first); returns `false` for null.
    public func serialize(_ value: Value, into buffer: inout [UInt8]) throws -> Bool {
        buffer.removeAll(keepingCapacity: true)
        return try serializeInto(value, &buffer)
    }

    /// Deserializes a value; `nil` is Kafka's null.
    public func deserialize(_ bytes: [UInt8]?) throws -> Value {
        guard let bytes else { return try deserializeFrom(nil) }
        return try bytes.withUnsafeBytes { try deserializeFrom($0) }
    }

    /// Deserializes a value from a buffer that is valid only during the call; `nil` is Kafka's null.
    public func deserialize(_ bytes: UnsafeRawBufferPointer?) throws -> Value {
        try deserializeFrom(bytes)
    }
}
