/// How the query views read a stored value: as it is, or after the 8-byte timestamp of a
/// timestamped store (``TimestampedValueBytes``).
enum StoredValue {
    static func decode<Value>(_ stored: [UInt8], serde: Serde<Value>, timestamped: Bool) throws -> Value {
        guard timestamped else { return try serde.deserialize(stored) }
        var timestamp: Int64 = 0
        return try TimestampedValueBytes.read(stored, serdeName: serde.name, timestamp: &timestamp, serde.deserializeFrom)
    }
}
