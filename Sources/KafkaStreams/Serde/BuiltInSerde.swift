/// The built-in serdes that source and sink nodes run themselves, without the serde's closures.
///
/// A node's key and value types are generic, so calling a serde's closure from it goes through a
/// reabstraction thunk, and serializing means appending to a buffer that librdkafka then copies
/// again. For these serdes the nodes instead read the value's own bytes (an array's storage, a
/// string's UTF-8) and build values directly. A tag is only ever set by the serde of its type
/// (``Serde/bytes``, ``Serde/string``, ``Serde/int64`` and the optionals of the first two), so it
/// also says what `Value` is.
@usableFromInline
enum BuiltInSerde: Sendable {
    case bytes
    case optionalBytes
    case string
    case optionalString
    case int64

    /// Calls `body` with the bytes `serialize` would write for `value`, or `nil` for Kafka's null.
    ///
    /// - Parameter scratch: holds a copy of a string's UTF-8 when the string has no contiguous
    ///   UTF-8 of its own (a bridged one).
    /// - Precondition: `T` is this serde's value type.
    @inline(__always)
    func withSerializedBytes<T, Result>(
        of value: T, scratch: inout [UInt8], _ body: (UnsafeRawBufferPointer?) throws -> Result
    ) rethrows -> Result {
        // Identity casts (the precondition); `withUnsafePointer(to:)` would not be inlined into
        // the nodes' unspecialized code.
        switch self {
        case .bytes:
            return try unsafeBitCast(value, to: [UInt8].self).withUnsafeBytes { try body($0) }
        case .optionalBytes:
            guard let bytes = unsafeBitCast(value, to: [UInt8]?.self) else { return try body(nil) }
            return try bytes.withUnsafeBytes { try body($0) }
        case .string:
            return try Self.withUTF8(of: unsafeBitCast(value, to: String.self), scratch: &scratch, body)
        case .optionalString:
            guard let string = unsafeBitCast(value, to: String?.self) else { return try body(nil) }
            return try Self.withUTF8(of: string, scratch: &scratch, body)
        case .int64:
            return try withUnsafeBytes(of: unsafeBitCast(value, to: Int64.self).bigEndian) { try body($0) }
        }
    }

    /// The value `deserialize` would read from `bytes` (`nil`: Kafka's null), with the same errors.
    ///
    /// - Parameter reused: the source's array storage for ``bytes`` and ``optionalBytes``.
    /// - Precondition: `T` is this serde's value type.
    @inline(__always)
    func deserialize<T>(_ bytes: UnsafeRawBufferPointer?, reusing reused: ReusedBytes) throws -> T {
        switch self {
        case .bytes:
            guard let bytes else { throw SerdeError.unexpectedNull(serde: "bytes") }
            return unsafeBitCast(reused.copy(bytes), to: T.self)
        case .optionalBytes:
            return unsafeBitCast(bytes.map { reused.copy($0) }, to: T.self)
        case .string:
            guard let bytes else { throw SerdeError.unexpectedNull(serde: "string") }
            return unsafeBitCast(String(decoding: bytes, as: UTF8.self), to: T.self)
        case .optionalString:
            return unsafeBitCast(bytes.map { String(decoding: $0, as: UTF8.self) }, to: T.self)
        case .int64:
            guard let bytes else { throw SerdeError.unexpectedNull(serde: "int64") }
            return unsafeBitCast(try readBigEndian(Int64.self, from: bytes, serde: "int64"), to: T.self)
        }
    }

    @inline(__always)
    private static func withUTF8<Result>(
        of string: String, scratch: inout [UInt8], _ body: (UnsafeRawBufferPointer?) throws -> Result
    ) rethrows -> Result {
        if let result = try string.utf8.withContiguousStorageIfAvailable({ try body(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: string.utf8)
        return try scratch.withUnsafeBytes { try body($0) }
    }
}
