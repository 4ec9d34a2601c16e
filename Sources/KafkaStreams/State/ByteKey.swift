/// A byte string as a dictionary key, hashed with one `Hasher.combine(bytes:)` call.
///
/// `[UInt8]`'s own `Hashable` feeds the hasher one byte at a time: a lookup of a 16-byte key
/// cost ~830 instructions, ~440 hashed this way (callgrind, a million lookups). Equality is the
/// arrays'; equal keys hash alike.
struct ByteKey: Hashable {
    var bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
