/// The value bytes of timestamped stores, Kafka Streams' layout: `[timestamp: 8 bytes
/// big-endian][serialized value]`. Written and read here for the key-value stores of tables and
/// aggregations (``TimestampedKeyValueStore``) and the window stores of windowed aggregations
/// (``TimestampedWindowUpdater``), and by the query views (``StoredValue``).
///
/// Generic functions of a non-generic type, inlined into their callers and given the serde's
/// functions rather than a `Serde<Value>`: in a processor's unspecialized code a `Serde<Value>` or
/// `ValueAndTimestamp<Value>` costs a generic-metadata lookup per record.
enum TimestampedValueBytes {
    /// The value of `stored`, and its timestamp in `timestamp`.
    /// - Throws: ``SerdeError`` (`wrongSize`, naming `timestamped(<serdeName>)`) when `stored` is
    ///   shorter than its timestamp, or what `deserialize` throws.
    @inline(__always)
    static func read<Value>(
        _ stored: [UInt8], serdeName: @autoclosure () -> String, timestamp: inout Int64,
        _ deserialize: (UnsafeRawBufferPointer?) throws -> Value
    ) throws -> Value {
        try stored.withUnsafeBytes { raw in
            guard raw.count >= 8 else {
                throw SerdeError.wrongSize(serde: "timestamped(\(serdeName()))", expected: 8, actual: raw.count)
            }
            timestamp = Int64(bigEndian: raw.loadUnaligned(as: Int64.self))
            return try deserialize(UnsafeRawBufferPointer(rebasing: raw.dropFirst(8)))
        }
    }

    /// Writes `value` with `timestamp` into `buffer` (cleared first); `false` when the value
    /// serializes to null, and the entry is to be deleted.
    @inline(__always)
    static func write<Value>(
        _ value: Value, timestamp: Int64, into buffer: inout [UInt8], _ serialize: (Value, inout [UInt8]) throws -> Bool
    ) throws -> Bool {
        buffer.removeAll(keepingCapacity: true)
        appendBigEndian(timestamp, to: &buffer)
        return try serialize(value, &buffer)
    }
}
