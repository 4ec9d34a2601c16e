import Foundation

extension Serde where Value == String {
    /// UTF-8 text, as Kafka's `StringSerializer`. Invalid UTF-8 is repaired with U+FFFD.
    public static var string: Serde<String> {
        Serde(
            name: "string",
            serializeNullable: { value, buffer in
                buffer.append(contentsOf: value.utf8)
                return true
            },
            deserializeNullable: { bytes in
                guard let bytes else { throw SerdeError.unexpectedNull(serde: "string") }
                return String(decoding: bytes, as: UTF8.self)
            },
            builtIn: .string
        )
    }
}

extension Serde where Value == Int64 {
    /// 8 bytes big-endian, as Kafka's `LongSerializer`.
    public static var int64: Serde<Int64> { .fixedWidthInteger(name: "int64", builtIn: .int64) }
}

extension Serde where Value == Int32 {
    /// 4 bytes big-endian, as Kafka's `IntegerSerializer`.
    public static var int32: Serde<Int32> { .fixedWidthInteger(name: "int32") }
}

extension Serde where Value == Double {
    /// 8 bytes big-endian IEEE 754, as Kafka's `DoubleSerializer`.
    public static var double: Serde<Double> {
        Serde(
            name: "double",
            serialize: { value, buffer in appendBigEndian(value.bitPattern, to: &buffer) },
            deserialize: { bytes in Double(bitPattern: try readBigEndian(UInt64.self, from: bytes, serde: "double")) }
        )
    }
}

extension Serde where Value == [UInt8] {
    /// The bytes as they are, as Kafka's `ByteArraySerializer`.
    public static var bytes: Serde<[UInt8]> {
        Serde(
            name: "bytes",
            serializeNullable: { value, buffer in
                // Through a pointer: appending the array itself retains and releases it.
                value.withUnsafeBytes { buffer.append(contentsOf: $0) }
                return true
            },
            deserializeNullable: { bytes in
                guard let bytes else { throw SerdeError.unexpectedNull(serde: "bytes") }
                return Array(bytes)
            },
            builtIn: .bytes
        )
    }
}

extension Serde where Value == UUID {
    /// The UUID's 36-character text form in UTF-8, as Kafka's `UUIDSerializer`.
    public static var uuid: Serde<UUID> {
        Serde(
            name: "uuid",
            serialize: { value, buffer in buffer.append(contentsOf: value.uuidString.lowercased().utf8) },
            deserialize: { bytes in
                guard let uuid = UUID(uuidString: String(decoding: bytes, as: UTF8.self)) else {
                    throw SerdeError(kind: .invalidData, serde: "uuid", message: "not a UUID string")
                }
                return uuid
            }
        )
    }
}

extension Serde where Value: Codable & SendableMetatype {
    /// JSON through Foundation's `JSONEncoder` and `JSONDecoder` (keys sorted, so equal values give equal bytes).
    public static func json(_ type: Value.Type = Value.self) -> Serde<Value> {
        let name = "json(\(Value.self))"
        return Serde(
            name: name,
            serialize: { value, buffer in
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                buffer.append(contentsOf: try encoder.encode(value))
            },
            deserialize: { bytes in
                do {
                    return try JSONDecoder().decode(Value.self, from: Data(bytes))
                } catch {
                    throw SerdeError(kind: .invalidData, serde: name, message: "invalid JSON: \(error)")
                }
            }
        )
    }
}

extension Serde where Value: FixedWidthInteger & Sendable {
    static func fixedWidthInteger(name: String, builtIn: BuiltInSerde? = nil) -> Serde<Value> {
        Serde(
            name: name,
            serializeNullable: { value, buffer in
                appendBigEndian(value, to: &buffer)
                return true
            },
            deserializeNullable: { bytes in
                guard let bytes else { throw SerdeError.unexpectedNull(serde: name) }
                return try readBigEndian(Value.self, from: bytes, serde: name)
            },
            builtIn: builtIn
        )
    }
}

func appendBigEndian<I: FixedWidthInteger>(_ value: I, to buffer: inout [UInt8]) {
    withUnsafeBytes(of: value.bigEndian) { buffer.append(contentsOf: $0) }
}

func readBigEndian<I: FixedWidthInteger>(_ type: I.Type, from bytes: UnsafeRawBufferPointer, serde: String) throws -> I {
    guard bytes.count == MemoryLayout<I>.size else {
        throw SerdeError.wrongSize(serde: serde, expected: MemoryLayout<I>.size, actual: bytes.count)
    }
    return I(bigEndian: bytes.loadUnaligned(as: I.self))
}
