internal import CRocksDB

// A NUL byte for empty buffers: `Array.withUnsafeBytes` and friends may hand out a nil base address
// for empty storage, and some C functions read NULL as "absent" (iterate bounds) instead of "empty".
// A static string literal's address is a constant, so this costs nothing.
@inline(__always)
private var emptyBytes: UnsafeRawPointer { UnsafeRawPointer(("" as StaticString).utf8Start) }

extension UnsafeRawBufferPointer {
    /// The bytes as RocksDB's `(const char*, size_t)` pair; never NULL.
    @inline(__always)
    var cBytes: UnsafePointer<CChar> {
        (self.baseAddress ?? emptyBytes).assumingMemoryBound(to: CChar.self)
    }
}

extension Bool {
    @inline(__always)
    var cBool: UInt8 { self ? 1 : 0 }
}

/// Calls `body` with `string` as a C string, rejecting embedded NUL bytes, which would silently
/// shorten a path or property name.
func withCString<Result>(
    _ string: String,
    describedAs what: String,
    _ body: (UnsafePointer<CChar>) throws -> Result
) throws -> Result {
    if string.utf8.contains(0) {
        throw RocksDBError.invalidArgument("\(what) contains a NUL byte")
    }
    return try string.withCString(body)
}

/// Checks a size for `size_t`, rejecting values below `minimum` (negative ones would trap on conversion).
func cSize(_ value: Int, _ name: String, minimum: Int = 0) throws -> Int {
    guard value >= minimum else {
        throw RocksDBError.invalidArgument("\(name) must be at least \(minimum), got \(value)")
    }
    return value
}

/// Converts a value to a C `int`, rejecting values out of range.
func cInt(_ value: Int, _ name: String, minimum: Int) throws -> Int32 {
    guard value >= minimum, let result = Int32(exactly: value) else {
        throw RocksDBError.invalidArgument("\(name) must be in \(minimum)...\(Int32.max), got \(value)")
    }
    return result
}
