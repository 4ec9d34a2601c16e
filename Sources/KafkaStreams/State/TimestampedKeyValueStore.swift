/// The store of a DSL table or aggregation: values with the timestamp of the record that set them.
///
/// Bytes are `[timestamp: 8 bytes big-endian][serialized value]`, Kafka Streams' timestamped
/// key-value layout, so the table's result timestamps survive restarts.
final class TimestampedKeyValueStore<Key, Value> {
    let bytes: any KeyValueBytesStore
    let keySerde: Serde<Key>
    let valueSerde: Serde<Value>
    // The key serde's function rather than a call of `Serde.serialize`: in an aggregation's
    // unspecialized code that call looks up `Serde<Key>`'s metadata per record.
    private let serializeKeyInto: @Sendable (Key, inout [UInt8]) throws -> Bool
    /// Reused for every key and value written: no allocation while the byte store does not keep
    /// them (an in-memory store overwrites an existing value in place, see ``ByteBTree/set(_:_:)``).
    /// Unchecked: only this class touches them, never re-entrantly.
    @exclusivity(unchecked) private var keyBuffer: [UInt8] = []
    @exclusivity(unchecked) private var valueBuffer: [UInt8] = []

    var name: String { bytes.name }

    init(bytes: any KeyValueBytesStore, key: Serde<Key>, value: Serde<Value>) {
        self.bytes = bytes
        self.keySerde = key
        self.valueSerde = value
        self.serializeKeyInto = key.serializeInto
    }

    func get(_ key: Key) throws -> ValueAndTimestamp<Value>? {
        guard let stored = try bytes.get(try serializeKey(key)) else { return nil }
        return try Self.decode(stored, valueSerde)
    }

    /// Stores a value, or deletes the key when `value` is `nil`.
    func put(_ key: Key, _ value: Value?, timestamp: Int64) throws {
        try setKey(key)
        guard let value else {
            try bytes.delete(keyBuffer)
            return
        }
        try putSetKey(value, timestamp: timestamp)
    }

    private func serializeKey(_ key: Key) throws -> [UInt8] {
        try setKey(key)
        return keyBuffer
    }

    // MARK: - One key, read then written (aggregations)
    //
    // The key is serialized once for both the read and the write, and the value comes back
    // without `ValueAndTimestamp` or other generic wrappers: in a processor's unspecialized code
    // each of those costs a generic-metadata lookup per record.

    /// Serializes `key` into the store's key buffer: the key of the next ``lookupSetKey(timestamp:)``
    /// and ``putSetKey(_:timestamp:)``.
    @inline(__always)
    func setKey(_ key: Key) throws {
        keyBuffer.removeAll(keepingCapacity: true)
        guard try serializeKeyInto(key, &keyBuffer) else {
            throw StreamsError.nullKey(store: name)
        }
    }

    /// The value under the key set by ``setKey(_:)``, or `nil`; when present, `timestamp` is set
    /// to its timestamp (otherwise left unchanged).
    @inline(__always)
    func lookupSetKey(timestamp: inout Int64) throws -> Value? {
        guard let stored = try bytes.get(keyBuffer) else { return nil }
        let serde = valueSerde
        return try TimestampedValueBytes.read(stored, serdeName: serde.name, timestamp: &timestamp, serde.deserializeFrom)
    }

    /// Calls `body` with the value under the key set by ``setKey(_:)``, if there is one, and
    /// returns whether it did: no `Value?` is made, whose metadata unspecialized callers would
    /// look up.
    @inline(__always)
    func withSetKeyValue(_ body: (Value) throws -> Void) throws -> Bool {
        guard let stored = try bytes.get(keyBuffer) else { return false }
        let serde = valueSerde
        var timestamp: Int64 = 0
        try body(try TimestampedValueBytes.read(stored, serdeName: serde.name, timestamp: &timestamp, serde.deserializeFrom))
        return true
    }

    /// Stores a value under the key set by ``setKey(_:)`` (deletes the key when the value
    /// serializes to null).
    @inline(__always)
    func putSetKey(_ value: Value, timestamp: Int64) throws {
        guard try TimestampedValueBytes.write(value, timestamp: timestamp, into: &valueBuffer, valueSerde.serializeInto) else {
            try bytes.delete(keyBuffer)
            return
        }
        try bytes.put(keyBuffer, valueBuffer)
    }

    static func decode(_ stored: [UInt8], _ serde: Serde<Value>) throws -> ValueAndTimestamp<Value> {
        var timestamp: Int64 = 0
        let value = try TimestampedValueBytes.read(stored, serdeName: serde.name, timestamp: &timestamp) {
            try serde.deserialize($0)
        }
        return ValueAndTimestamp(value: value, timestamp: timestamp)
    }
}

/// A value with the timestamp of the record that produced it.
struct ValueAndTimestamp<Value> {
    var value: Value
    var timestamp: Int64
}

extension TimestampedKeyValueStore {
    /// When the store is behind the record cache, routes its flushed changes to `forward` and
    /// returns `true`: the processor must then not forward updates itself.
    func forwardFlushedChanges(_ forward: @escaping (Record<Key, Change<Value>>) throws -> Void) -> Bool {
        guard let caching = bytes as? CachingKeyValueBytesStore else { return false }
        let keySerde = keySerde
        let valueSerde = valueSerde
        caching.setFlushListener { key, newBytes, oldBytes, context in
            let newValue = try newBytes.map { try Self.decode($0, valueSerde) }
            let oldValue = try oldBytes.map { try Self.decode($0, valueSerde) }
            try forward(
                Record(
                    key: try keySerde.deserialize(key),
                    value: Change(newValue: newValue?.value, oldValue: oldValue?.value),
                    timestamp: newValue?.timestamp ?? context.timestamp, headers: context.headers))
        }
        return true
    }
}
