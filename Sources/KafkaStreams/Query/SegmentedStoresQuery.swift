/// What the window and session query views share: the store's instances in every local task,
/// read under their locks and merged in the store's order, and the serdes that turn their
/// entries into typed ones.
struct SegmentedStoresQuery<Schema: SegmentedKeySchema, Key, Value>: Sendable {
    let name: String
    let stores: [SegmentedBytesStore<Schema>]
    let timestamped: Bool
    let keySerde: Serde<Key>
    let valueSerde: Serde<Value>

    /// Each task's entries whose record key is in `keyFrom...keyTo` (`nil`: unbounded) and whose
    /// times match, merged by record key, then time.
    func read(keyFrom: Key?, keyTo: Key?, timeFrom: Int64, timeTo: Int64) throws -> [(key: [UInt8], value: [UInt8])] {
        try merged(from: keyFrom.map(serialize), to: keyTo.map(serialize), timeFrom: timeFrom, timeTo: timeTo)
    }

    /// ``read(keyFrom:keyTo:timeFrom:timeTo:)`` of one key, serialized once.
    func read(key: Key, timeFrom: Int64, timeTo: Int64) throws -> [(key: [UInt8], value: [UInt8])] {
        let bytes = try serialize(key)
        return try merged(from: bytes, to: bytes, timeFrom: timeFrom, timeTo: timeTo)
    }

    private func merged(from: [UInt8]?, to: [UInt8]?, timeFrom: Int64, timeTo: Int64) throws
        -> [(key: [UInt8], value: [UInt8])]
    {
        var entries = try stores.flatMap {
            try $0.fetch(keyFrom: from, keyTo: to, timeFrom: timeFrom, timeTo: timeTo)
        }
        if stores.count > 1 { entries.sort { Schema.precedes($0.key, $1.key) } }
        return entries
    }

    func serialize(_ key: Key) throws -> [UInt8] {
        guard let bytes = try keySerde.serialize(key) else { throw StreamsError.nullKey(store: name) }
        return bytes
    }

    func decode(_ stored: [UInt8]) throws -> Value {
        try StoredValue.decode(stored, serde: valueSerde, timestamped: timestamped)
    }

    /// Entries as (windowed key, value); `window` reads a store key's window.
    func decode(
        _ entries: [(key: [UInt8], value: [UInt8])], window: (UnsafeRawBufferPointer) -> TimeWindow
    ) throws -> [KeyValue<Windowed<Key>, Value>] {
        try entries.map { entry in
            try entry.key.withUnsafeBytes { raw in
                KeyValue(
                    Windowed(key: try keySerde.deserialize(Schema.recordKey(raw)), window: window(raw)),
                    try decode(entry.value))
            }
        }
    }
}
