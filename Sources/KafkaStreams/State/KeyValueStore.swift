/// A typed key-value state store of one task, as processors see it.
///
/// Keys and values go through the store's serdes to a byte-level store (in memory or RocksDB),
/// so ranges follow the unsigned byte order of the serialized keys (for `.int64` keys that is
/// numeric order for non-negative numbers). Every write is also sent to the store's changelog topic
/// unless logging is disabled. Ranges are inclusive at both ends and return a snapshot.
public final class KeyValueStore<Key, Value>: StateStore {
    public let name: String
    public var isPersistent: Bool { bytes.isPersistent }

    let bytes: any KeyValueBytesStore
    let keySerde: Serde<Key>
    let valueSerde: Serde<Value>
    /// Set for the stores of DSL tables, whose values are `[timestamp: 8 bytes BE][value]`.
    let timestamped: Bool
    /// The timestamp written with values into a timestamped store: the current record's.
    private let currentTimestamp: () -> Int64
    private var keyBuffer: [UInt8] = []

    init(
        bytes: any KeyValueBytesStore, key: Serde<Key>, value: Serde<Value>, timestamped: Bool,
        currentTimestamp: @escaping () -> Int64
    ) {
        self.name = bytes.name
        self.bytes = bytes
        self.keySerde = key
        self.valueSerde = value
        self.timestamped = timestamped
        self.currentTimestamp = currentTimestamp
    }

    /// The value of a key, or `nil` when absent.
    public func get(_ key: Key) throws -> Value? {
        guard let stored = try bytes.get(try serializeKey(key)) else { return nil }
        return try decodeValue(stored)
    }

    /// Sets the value of a key.
    public func put(_ key: Key, _ value: Value) throws {
        let keyBytes = try serializeKey(key)
        guard let encoded = try encodeValue(value) else {
            try bytes.delete(keyBytes)
            return
        }
        try bytes.put(keyBytes, encoded)
    }

    /// Sets the value of a key only when it has none; returns the value it had.
    @discardableResult
    public func putIfAbsent(_ key: Key, _ value: Value) throws -> Value? {
        if let existing = try get(key) { return existing }
        try put(key, value)
        return nil
    }

    /// Sets several keys.
    public func putAll(_ entries: [KeyValue<Key, Value>]) throws {
        for entry in entries { try put(entry.key, entry.value) }
    }

    /// Removes a key; returns the value it had.
    @discardableResult
    public func delete(_ key: Key) throws -> Value? {
        guard let old = try bytes.delete(try serializeKey(key)) else { return nil }
        return try decodeValue(old)
    }

    /// Keys from `from` to `to`, both inclusive, ascending; `nil` leaves that end open.
    public func range(from: Key?, to: Key?) throws -> [KeyValue<Key, Value>] {
        try decode(bytes.range(from: from.map(serializeKeyCopy), to: to.map(serializeKeyCopy), reverse: false))
    }

    /// Keys from `from` to `to`, both inclusive, descending.
    public func reverseRange(from: Key?, to: Key?) throws -> [KeyValue<Key, Value>] {
        try decode(bytes.range(from: from.map(serializeKeyCopy), to: to.map(serializeKeyCopy), reverse: true))
    }

    /// Every entry, ascending by serialized key.
    public func all() throws -> [KeyValue<Key, Value>] {
        try decode(bytes.range(from: nil, to: nil, reverse: false))
    }

    /// Every entry, descending by serialized key.
    public func reverseAll() throws -> [KeyValue<Key, Value>] {
        try decode(bytes.range(from: nil, to: nil, reverse: true))
    }

    /// Entries whose serialized key starts with the serialized `prefix`.
    public func prefixScan<Prefix>(_ prefix: Prefix, serde: Serde<Prefix>) throws -> [KeyValue<Key, Value>] {
        guard let prefixBytes = try serde.serialize(prefix) else { return [] }
        return try decode(bytes.prefixScan(prefixBytes))
    }

    /// An estimate of the number of keys (exact for in-memory stores).
    public func approximateNumEntries() throws -> Int {
        try bytes.approximateNumEntries()
    }

    public func flush() throws { try bytes.flush() }

    public func close() throws { try bytes.close() }

    // MARK: - Encoding

    private func serializeKey(_ key: Key) throws -> [UInt8] {
        guard try keySerde.serialize(key, into: &keyBuffer) else {
            throw StreamsError.nullKey(store: name)
        }
        return keyBuffer
    }

    private func serializeKeyCopy(_ key: Key) throws -> [UInt8] {
        guard let bytes = try keySerde.serialize(key) else { throw StreamsError.nullKey(store: name) }
        return bytes
    }

    private func encodeValue(_ value: Value) throws -> [UInt8]? {
        var buffer: [UInt8] = []
        if timestamped { appendBigEndian(currentTimestamp(), to: &buffer) }
        guard try valueSerde.serializeInto(value, &buffer) else { return nil }
        return buffer
    }

    private func decodeValue(_ stored: [UInt8]) throws -> Value {
        try stored.withUnsafeBytes { raw in
            try valueSerde.deserialize(timestamped ? UnsafeRawBufferPointer(rebasing: raw.dropFirst(8)) : raw)
        }
    }

    private func decode(_ entries: [(key: [UInt8], value: [UInt8])]) throws -> [KeyValue<Key, Value>] {
        try entries.map { entry in
            KeyValue(try keySerde.deserialize(entry.key), try decodeValue(entry.value))
        }
    }
}
