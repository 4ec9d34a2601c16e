/// A typed window store of one task, as processors see it: values per key and window start.
///
/// Entries are kept for the store's retention period behind the largest window start written
/// (its observed stream time); older windows are not returned and writes to them are dropped, and
/// the segments that held them are deleted whole. Byte keys are Kafka Streams'
/// `[key][window start: 8 bytes BE][sequence number: 4 bytes BE]`, and every write is also sent to
/// the store's changelog topic (key = those bytes) unless logging is disabled.
///
/// Results are snapshots, ordered by serialized key (unsigned bytes), then window start, then
/// insertion order of duplicates; `backward` variants return the reverse order. Times are epoch
/// milliseconds and ranges are inclusive at both ends.
///
/// ```swift
/// let store: WindowStore<String, Int64> = try context.stateStore(named: "counts")
/// try store.put("user", 3, windowStart: 60_000)
/// let counts = try store.fetch("user", timeFrom: 0, timeTo: 120_000)  // [KeyValue(60000, 3)]
/// ```
public final class WindowStore<Key, Value>: StateStore {
    public let name: String
    public var isPersistent: Bool { segments.isPersistent }
    /// How long windows are kept, in milliseconds.
    public var retentionPeriod: Int64 { segments.retentionPeriod }
    /// The size of the store's windows, in milliseconds: a window's end is its start plus this.
    public let windowSize: Int64
    /// Whether each put adds an entry, even for a key and window that already have one.
    public let retainDuplicates: Bool

    /// The store with its layers (changelog, record cache): what writes and point reads go through.
    let bytes: any KeyValueBytesStore
    let segments: SegmentedBytesStore<WindowKeySchema>
    /// Whether range reads may go straight to the segments (searching only those a query can
    /// hit): when the only layers above them are changelog ones, which read through. Otherwise
    /// (a record cache) ranges are read through the layers.
    private let readsSegmentsDirectly: Bool
    let keySerde: Serde<Key>
    let valueSerde: Serde<Value>
    /// The sequence number of the last duplicate written (Kafka's `seqnum`).
    private var sequenceNumber: UInt32 = 0

    init(
        bytes: any KeyValueBytesStore, segments: SegmentedBytesStore<WindowKeySchema>, key: Serde<Key>,
        value: Serde<Value>, windowSize: Int64, retainDuplicates: Bool
    ) {
        self.name = segments.name
        self.bytes = bytes
        self.segments = segments
        self.readsSegmentsDirectly = ChangeLoggingKeyValueBytesStore.unwrap(bytes) === segments
        self.keySerde = key
        self.valueSerde = value
        self.windowSize = windowSize
        self.retainDuplicates = retainDuplicates
    }

    // MARK: - Writes

    /// Sets the value of a key in the window that starts at `windowStart`; `nil` deletes it.
    ///
    /// With duplicates retained, every put adds an entry and `nil` does nothing (there is no
    /// single entry to delete), as in Kafka Streams. A window older than the retention period is
    /// not written.
    public func put(_ key: Key, _ value: Value?, windowStart: Int64) throws {
        if value == nil && retainDuplicates { return }
        if retainDuplicates { sequenceNumber = (sequenceNumber &+ 1) & 0x7FFF_FFFF }
        let storeKey = WindowKeySchema.storeKey(
            try serializeKey(key), windowStart: windowStart, sequenceNumber: retainDuplicates ? sequenceNumber : 0)
        if let value, let encoded = try valueSerde.serialize(value) {
            try bytes.put(storeKey, encoded)
        } else {
            try bytes.delete(storeKey)
        }
    }

    // MARK: - Reads

    /// The value of a key in the window that starts at `windowStart` (with duplicates, the first
    /// one written), or `nil`.
    public func fetch(_ key: Key, windowStart: Int64) throws -> Value? {
        let keyBytes = try serializeKey(key)
        if retainDuplicates {
            return try fetch(key, timeFrom: windowStart, timeTo: windowStart).first?.value
        }
        guard let stored = try bytes.get(WindowKeySchema.storeKey(keyBytes, windowStart: windowStart, sequenceNumber: 0))
        else { return nil }
        return try valueSerde.deserialize(stored)
    }

    /// The windows of a key that start in `timeFrom...timeTo`, as (window start, value), by start.
    public func fetch(_ key: Key, timeFrom: Int64, timeTo: Int64) throws -> [KeyValue<Int64, Value>] {
        let keyBytes = try serializeKey(key)
        return try read(keyFrom: keyBytes, keyTo: keyBytes, timeFrom: timeFrom, timeTo: timeTo).map { entry in
            KeyValue(entry.key.withUnsafeBytes(WindowKeySchema.windowStart), try valueSerde.deserialize(entry.value))
        }
    }

    /// ``fetch(_:timeFrom:timeTo:)`` latest window first.
    public func backwardFetch(_ key: Key, timeFrom: Int64, timeTo: Int64) throws -> [KeyValue<Int64, Value>] {
        try fetch(key, timeFrom: timeFrom, timeTo: timeTo).reversed()
    }

    /// The windows of keys in `keyFrom...keyTo` (`nil`: unbounded) that start in
    /// `timeFrom...timeTo`, by serialized key, then start. No result when `keyFrom` sorts after `keyTo`.
    public func fetch(keyFrom: Key?, keyTo: Key?, timeFrom: Int64, timeTo: Int64) throws -> [KeyValue<Windowed<Key>, Value>] {
        try decode(read(keyFrom: keyFrom.map(serializeKey), keyTo: keyTo.map(serializeKey), timeFrom: timeFrom, timeTo: timeTo))
    }

    /// ``fetch(keyFrom:keyTo:timeFrom:timeTo:)`` in reverse order.
    public func backwardFetch(keyFrom: Key?, keyTo: Key?, timeFrom: Int64, timeTo: Int64) throws
        -> [KeyValue<Windowed<Key>, Value>]
    {
        try fetch(keyFrom: keyFrom, keyTo: keyTo, timeFrom: timeFrom, timeTo: timeTo).reversed()
    }

    /// The windows of every key that start in `timeFrom...timeTo`.
    public func fetchAll(timeFrom: Int64, timeTo: Int64) throws -> [KeyValue<Windowed<Key>, Value>] {
        try decode(read(keyFrom: nil, keyTo: nil, timeFrom: timeFrom, timeTo: timeTo))
    }

    /// ``fetchAll(timeFrom:timeTo:)`` in reverse order.
    public func backwardFetchAll(timeFrom: Int64, timeTo: Int64) throws -> [KeyValue<Windowed<Key>, Value>] {
        try fetchAll(timeFrom: timeFrom, timeTo: timeTo).reversed()
    }

    /// Every window still retained.
    public func all() throws -> [KeyValue<Windowed<Key>, Value>] {
        try fetchAll(timeFrom: 0, timeTo: .max)
    }

    /// ``all()`` in reverse order.
    public func backwardAll() throws -> [KeyValue<Windowed<Key>, Value>] {
        try all().reversed()
    }

    public func flush() throws { try bytes.flush() }

    public func close() throws { try bytes.close() }

    // MARK: - Encoding

    private func read(keyFrom: [UInt8]?, keyTo: [UInt8]?, timeFrom: Int64, timeTo: Int64) throws
        -> [(key: [UInt8], value: [UInt8])]
    {
        if readsSegmentsDirectly {
            return try segments.fetch(keyFrom: keyFrom, keyTo: keyTo, timeFrom: timeFrom, timeTo: timeTo)
        }
        return try segments.fetch(through: bytes, keyFrom: keyFrom, keyTo: keyTo, timeFrom: timeFrom, timeTo: timeTo)
    }

    private func serializeKey(_ key: Key) throws -> [UInt8] {
        guard let bytes = try keySerde.serialize(key) else { throw StreamsError.nullKey(store: name) }
        return bytes
    }

    private func decode(_ entries: [(key: [UInt8], value: [UInt8])]) throws -> [KeyValue<Windowed<Key>, Value>] {
        try entries.map { entry in
            try entry.key.withUnsafeBytes { raw in
                let key = try keySerde.deserialize(WindowKeySchema.recordKey(raw))
                let window = TimeWindow.starting(at: WindowKeySchema.windowStart(raw), size: windowSize)
                return KeyValue(Windowed(key: key, window: window), try valueSerde.deserialize(entry.value))
            }
        }
    }
}
