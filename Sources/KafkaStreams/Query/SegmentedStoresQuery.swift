/// What the window and session query views share: the store's instances in every local task,
/// read under their locks and merged in the store's order, and the decoding of their entries.
struct SegmentedStoresQuery<Schema: SegmentedKeySchema>: Sendable {
    let name: String
    let stores: [SegmentedBytesStore<Schema>]
    let timestamped: Bool

    /// Each task's entries whose record key is in `keyFrom...keyTo` and whose times match,
    /// merged by record key, then time.
    func read(keyFrom: [UInt8]?, keyTo: [UInt8]?, timeFrom: Int64, timeTo: Int64) throws
        -> [(key: [UInt8], value: [UInt8])]
    {
        var entries = try stores.flatMap {
            try $0.fetch(keyFrom: keyFrom, keyTo: keyTo, timeFrom: timeFrom, timeTo: timeTo)
        }
        if stores.count > 1 { entries.sort { Schema.precedes($0.key, $1.key) } }
        return entries
    }

    func serialize<Key>(_ key: Key, _ serde: Serde<Key>) throws -> [UInt8] {
        guard let bytes = try serde.serialize(key) else { throw StreamsError.nullKey(store: name) }
        return bytes
    }

    func decode<Value>(_ stored: [UInt8], _ serde: Serde<Value>) throws -> Value {
        try StoredValue.decode(stored, serde: serde, timestamped: timestamped)
    }

    /// Entries as (windowed key, value); `window` reads a store key's window.
    func decode<Key, Value>(
        _ entries: [(key: [UInt8], value: [UInt8])], key: Serde<Key>, value: Serde<Value>,
        window: (UnsafeRawBufferPointer) -> TimeWindow
    ) throws -> [KeyValue<Windowed<Key>, Value>] {
        try entries.map { entry in
            try entry.key.withUnsafeBytes { raw in
                KeyValue(
                    Windowed(key: try key.deserialize(Schema.recordKey(raw)), window: window(raw)),
                    try decode(entry.value, value))
            }
        }
    }
}
