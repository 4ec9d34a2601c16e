/// How the query views read a stored value: as it is, or after the 8-byte timestamp of a
/// timestamped store (`[timestamp: 8 bytes BE][value]`).
enum StoredValue {
    static func decode<Value>(_ stored: [UInt8], serde: Serde<Value>, timestamped: Bool) throws -> Value {
        try stored.withUnsafeBytes { raw in
            guard timestamped else { return try serde.deserialize(raw) }
            guard raw.count >= 8 else {
                throw SerdeError.wrongSize(serde: "timestamped(\(serde.name))", expected: 8, actual: raw.count)
            }
            return try serde.deserialize(UnsafeRawBufferPointer(rebasing: raw.dropFirst(8)))
        }
    }
}
