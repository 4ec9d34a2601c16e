/// A read-only, typed view of one key-value store across all local tasks, for interactive
/// queries and the test driver.
///
/// Safe to use from any thread while processing runs: each underlying store guards itself.
/// Results of ranges are snapshots, ordered by serialized key.
public final class ReadOnlyKeyValueStore<Key, Value>: Sendable {
    /// The store's name.
    public let name: String
    private let stores: [any KeyValueBytesStore & Sendable]
    private let keySerde: Serde<Key>
    private let valueSerde: Serde<Value>
    private let timestamped: Bool

    init(
        name: String, stores: [any KeyValueBytesStore & Sendable], key: Serde<Key>, value: Serde<Value>,
        timestamped: Bool
    ) {
        self.name = name
        self.stores = stores
        self.keySerde = key
        self.valueSerde = value
        self.timestamped = timestamped
    }

    /// The value of a key, or `nil` when no local task has it.
    public func get(_ key: Key) throws -> Value? {
        let keyBytes = try serialize(key)
        for store in stores {
            if let stored = try store.get(keyBytes) { return try decode(stored) }
        }
        return nil
    }

    /// Keys from `from` to `to`, both inclusive, ascending; `nil` leaves that end open.
    public func range(from: Key?, to: Key?) throws -> [KeyValue<Key, Value>] {
        try collect(from: from.map(serialize), to: to.map(serialize), reverse: false)
    }

    /// Keys from `from` to `to`, both inclusive, descending.
    public func reverseRange(from: Key?, to: Key?) throws -> [KeyValue<Key, Value>] {
        try collect(from: from.map(serialize), to: to.map(serialize), reverse: true)
    }

    /// Every entry, ascending by serialized key.
    public func all() throws -> [KeyValue<Key, Value>] {
        try collect(from: nil, to: nil, reverse: false)
    }

    /// Every entry, descending by serialized key.
    public func reverseAll() throws -> [KeyValue<Key, Value>] {
        try collect(from: nil, to: nil, reverse: true)
    }

    /// Entries whose serialized key starts with the serialized `prefix`.
    public func prefixScan<Prefix>(_ prefix: Prefix, serde: Serde<Prefix>) throws -> [KeyValue<Key, Value>] {
        guard let prefixBytes = try serde.serialize(prefix) else { return [] }
        let entries = try stores.flatMap { try $0.queryPrefixScan(prefixBytes) }
        return try decode(entries.sorted { ByteBTree.compare($0.key, $1.key) < 0 })
    }

    /// An estimate of the number of keys across local tasks.
    public func approximateNumEntries() throws -> Int {
        try stores.reduce(0) { $0 + (try $1.approximateNumEntries()) }
    }

    private func collect(from: [UInt8]?, to: [UInt8]?, reverse: Bool) throws -> [KeyValue<Key, Value>] {
        var entries = try stores.flatMap { try $0.queryRange(from: from, to: to, reverse: reverse) }
        if stores.count > 1 {
            entries.sort { reverse ? ByteBTree.compare($0.key, $1.key) > 0 : ByteBTree.compare($0.key, $1.key) < 0 }
        }
        return try decode(entries)
    }

    private func serialize(_ key: Key) throws -> [UInt8] {
        guard let bytes = try keySerde.serialize(key) else { throw StreamsError.nullKey(store: name) }
        return bytes
    }

    private func decode(_ stored: [UInt8]) throws -> Value {
        try StoredValue.decode(stored, serde: valueSerde, timestamped: timestamped)
    }

    private func decode(_ entries: [(key: [UInt8], value: [UInt8])]) throws -> [KeyValue<Key, Value>] {
        try entries.map { KeyValue(try keySerde.deserialize($0.key), try decode($0.value)) }
    }
}
