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
        if let bytes = directBytes(of: value) { return try body(bytes) }
        // Identity casts (the precondition); `withUnsafePointer(to:)` would not be inlined into
        // the nodes' unspecialized code.
        switch self {
        case .bytes:
            // Apple platforms only: elsewhere ``directBytes(of:)`` read them.
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

    /// The bytes of `value` when they can be read without a closure: those of an array (the
    /// array's own storage, see ``bytes(of:)``), `.some(nil)` for a null; `nil` for the other
    /// serdes (and on Apple platforms), which go through ``withSerializedBytes(of:scratch:_:)``.
    ///
    /// - Precondition: `T` is this serde's value type.
    @inline(__always)
    func directBytes<T>(of value: T) -> UnsafeRawBufferPointer?? {
        #if canImport(ObjectiveC)
        return nil
        #else
        switch self {
        case .bytes: return .some(Self.bytes(of: unsafeBitCast(value, to: [UInt8].self)))
        case .optionalBytes: return .some(unsafeBitCast(value, to: [UInt8]?.self).map { Self.bytes(of: $0) })
        case .string, .optionalString, .int64: return nil
        }
        #endif
    }

    /// Memory for one value of this serde's type, holding its empty value, for
    /// ``read(_:into:)``; give it back with ``deallocateSlot(_:)``.
    func allocateSlot() -> UnsafeMutableRawPointer {
        switch self {
        case .bytes: return Self.allocate([UInt8]())
        case .optionalBytes: return Self.allocate([UInt8]?.none)
        case .string: return Self.allocate("")
        case .optionalString: return Self.allocate(String?.none)
        case .int64: return Self.allocate(Int64(0))
        }
    }

    /// Destroys the value in a slot of ``allocateSlot()`` and frees it.
    func deallocateSlot(_ slot: UnsafeMutableRawPointer) {
        switch self {
        case .bytes: slot.assumingMemoryBound(to: [UInt8].self).deinitialize(count: 1)
        case .optionalBytes: slot.assumingMemoryBound(to: [UInt8]?.self).deinitialize(count: 1)
        case .string: slot.assumingMemoryBound(to: String.self).deinitialize(count: 1)
        case .optionalString: slot.assumingMemoryBound(to: String?.self).deinitialize(count: 1)
        case .int64: slot.assumingMemoryBound(to: Int64.self).deinitialize(count: 1)
        }
        slot.deallocate()
    }

    /// Replaces the value in `slot` (of ``allocateSlot()``) by the one `deserialize` would read
    /// from `bytes` (`nil`: Kafka's null), with the same errors; on an error the slot keeps its
    /// value.
    ///
    /// Bytes are written into the slot's array when nothing else holds it (the previous
    /// record's value was not kept downstream), so a record costs no allocation; when something
    /// kept it, copy-on-write gives the slot a new array and the kept value never changes.
    @inline(__always)
    func read(_ bytes: UnsafeRawBufferPointer?, into slot: UnsafeMutableRawPointer) throws {
        switch self {
        case .bytes:
            guard let bytes else { throw SerdeError.unexpectedNull(serde: "bytes") }
            ReusedBytes.overwrite(&slot.assumingMemoryBound(to: [UInt8].self).pointee, with: bytes)
        case .optionalBytes:
            let optional = slot.assumingMemoryBound(to: [UInt8]?.self)
            guard let bytes else {
                optional.pointee = nil
                return
            }
            if optional.pointee == nil { optional.pointee = [] }
            ReusedBytes.overwrite(&optional.pointee!, with: bytes)
        case .string:
            guard let bytes else { throw SerdeError.unexpectedNull(serde: "string") }
            slot.assumingMemoryBound(to: String.self).pointee = String(decoding: bytes, as: UTF8.self)
        case .optionalString:
            slot.assumingMemoryBound(to: String?.self).pointee = bytes.map { String(decoding: $0, as: UTF8.self) }
        case .int64:
            guard let bytes else { throw SerdeError.unexpectedNull(serde: "int64") }
            slot.assumingMemoryBound(to: Int64.self).pointee = try readBigEndian(Int64.self, from: bytes, serde: "int64")
        }
    }

    private static func allocate<T>(_ empty: T) -> UnsafeMutableRawPointer {
        let slot = UnsafeMutablePointer<T>.allocate(capacity: 1)
        slot.initialize(to: empty)
        return UnsafeMutableRawPointer(slot)
    }

    /// The array's bytes, used after `withUnsafeBytes` returns.
    ///
    /// Sound here: the array is the caller's borrowed value, alive and unchanged for the whole
    /// call, and a native array's bytes are its storage object's (a string's may be inline in
    /// the value, so strings are not read this way; on Apple platforms an array bridged from
    /// Objective-C may lend a temporary copy, so there the bytes are used inside the closure).
    /// Called inside `withUnsafeBytes`, `body` made the compiler retain and release the array
    /// around it, as `body` could have released every other reference.
    #if !canImport(ObjectiveC)
    @inline(__always)
    private static func bytes(of array: [UInt8]) -> UnsafeRawBufferPointer {
        array.withUnsafeBytes { $0 }
    }
    #endif

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
