/// Reads big-endian Kafka protocol primitives, returning `nil` past the end.
struct BigEndianReader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    mutating func readInt16() -> Int16? {
        guard offset + 2 <= bytes.count else { return nil }
        defer { offset += 2 }
        return Int16(bitPattern: UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1]))
    }

    mutating func readInt32() -> Int32? {
        guard offset + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for index in 0..<4 { value = value << 8 | UInt32(bytes[offset + index]) }
        offset += 4
        return Int32(bitPattern: value)
    }

    mutating func readString() -> String? {
        guard let length = readInt16(), length >= 0, offset + Int(length) <= bytes.count else { return nil }
        defer { offset += Int(length) }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + Int(length)]), as: UTF8.self)
    }
}
