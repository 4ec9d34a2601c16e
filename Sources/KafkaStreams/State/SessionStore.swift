/// A typed session store of one task, as processors see it: one value per key and session.
///
/// A session is a ``Windowed`` key whose window's start and end are the timestamps of the
/// session's first and last records (both inclusive). Sessions are kept for the store's retention
/// period behind the largest session end written; older sessions are not returned, writes to them
/// are dropped, and the segments that held them are deleted whole. Byte keys are Kafka Streams'
/// `[key][session end: 8 bytes BE][session start: 8 bytes BE]`, and every write is also sent to
/// the store's changelog topic unless logging is disabled.
///
/// Results are snapshots, ordered by serialized key (unsigned bytes), then session end, then
/// start; `backward` variants return the reverse order. Times are epoch milliseconds.
///
/// ```swift
/// let store: SessionStore<String, Int64> = try context.stateStore(named: "sessions")
/// let overlapping = try store.findSessions("user", earliestSessionEndTime: t - gap, latestSessionStartTime: t + gap)
/// ```
public final class SessionStore<Key, Value>: StateStore {
    public let name: String
    public var isPersistent: Bool { segments.isPersistent }
    /// How long sessions are kept after they end, in milliseconds.
    public var retentionPeriod: Int64 { segments.retentionPeriod }

    /// The store with its layers (changelog, record cache): what writes and point reads go through.
    let bytes: any KeyValueBytesStore
    let segments: SegmentedBytesStore<SessionKeySchema>
    /// Whether range reads may go straight to the segments (searching only those a query can
    /// hit): when the only layers above them are changelog ones, which read through. Otherwise
    /// (a record cache) ranges are read through the layers.
    private let readsSegmentsDirectly: Bool
    let keySerde: Serde<Key>
    let valueSerde: Serde<Value>

    init(bytes: any KeyValueBytesStore, segments: SegmentedBytesStore<SessionKeySchema>, key: Serde<Key>, value: Serde<Value>) {
        self.name = segments.name
        self.bytes = bytes
        self.segments = segments
        self.readsSegmentsDirectly = ChangeLoggingKeyValueBytesStore.unwrap(bytes) === segments
        self.keySerde = key
        self.valueSerde = value
    }

    // MARK: - Writes

    /// Sets the value of a session; `nil` removes it. A session that ended before the retention
    /// period is not written.
    public func put(_ session: Windowed<Key>, _ value: Value?) throws {
        let storeKey = try self.storeKey(session)
        if let value, let encoded = try valueSerde.serialize(value) {
            try bytes.put(storeKey, encoded)
        } else {
            try bytes.delete(storeKey)
        }
    }

    /// Removes a session.
    public func remove(_ session: Windowed<Key>) throws {
        try bytes.delete(try storeKey(session))
    }

    // MARK: - Reads

    /// The value of the session of `key` with exactly this start and end, or `nil`.
    public func fetchSession(_ key: Key, sessionStart: Int64, sessionEnd: Int64) throws -> Value? {
        let storeKey = SessionKeySchema.storeKey(try serializeKey(key), start: sessionStart, end: sessionEnd)
        guard let stored = try bytes.get(storeKey) else { return nil }
        return try valueSerde.deserialize(stored)
    }

    /// The sessions of `key` that end at or after `earliestSessionEndTime` and start at or before
    /// `latestSessionStartTime`: those a record could merge with. Earliest end first.
    public func findSessions(
        _ key: Key, earliestSessionEndTime: Int64, latestSessionStartTime: Int64
    ) throws -> [KeyValue<Windowed<Key>, Value>] {
        let keyBytes = try serializeKey(key)
        return try decode(
            read(keyFrom: keyBytes, keyTo: keyBytes, timeFrom: earliestSessionEndTime, timeTo: latestSessionStartTime))
    }

    /// ``findSessions(_:earliestSessionEndTime:latestSessionStartTime:)`` latest end first.
    public func backwardFindSessions(
        _ key: Key, earliestSessionEndTime: Int64, latestSessionStartTime: Int64
    ) throws -> [KeyValue<Windowed<Key>, Value>] {
        try findSessions(
            key, earliestSessionEndTime: earliestSessionEndTime, latestSessionStartTime: latestSessionStartTime
        ).reversed()
    }

    /// The matching sessions of keys in `keyFrom...keyTo` (`nil`: unbounded), by serialized key,
    /// then end. No result when `keyFrom` sorts after `keyTo`.
    public func findSessions(
        keyFrom: Key?, keyTo: Key?, earliestSessionEndTime: Int64, latestSessionStartTime: Int64
    ) throws -> [KeyValue<Windowed<Key>, Value>] {
        try decode(
            read(
                keyFrom: keyFrom.map(serializeKey), keyTo: keyTo.map(serializeKey), timeFrom: earliestSessionEndTime,
                timeTo: latestSessionStartTime))
    }

    /// ``findSessions(keyFrom:keyTo:earliestSessionEndTime:latestSessionStartTime:)`` in reverse order.
    public func backwardFindSessions(
        keyFrom: Key?, keyTo: Key?, earliestSessionEndTime: Int64, latestSessionStartTime: Int64
    ) throws -> [KeyValue<Windowed<Key>, Value>] {
        try findSessions(
            keyFrom: keyFrom, keyTo: keyTo, earliestSessionEndTime: earliestSessionEndTime,
            latestSessionStartTime: latestSessionStartTime
        ).reversed()
    }

    /// Every retained session of `key`, earliest end first.
    public func fetch(_ key: Key) throws -> [KeyValue<Windowed<Key>, Value>] {
        try findSessions(key, earliestSessionEndTime: 0, latestSessionStartTime: .max)
    }

    /// Every retained session of `key`, latest end first.
    public func backwardFetch(_ key: Key) throws -> [KeyValue<Windowed<Key>, Value>] {
        try fetch(key).reversed()
    }

    /// Every retained session of keys in `keyFrom...keyTo` (`nil`: unbounded).
    public func fetch(keyFrom: Key?, keyTo: Key?) throws -> [KeyValue<Windowed<Key>, Value>] {
        try findSessions(keyFrom: keyFrom, keyTo: keyTo, earliestSessionEndTime: 0, latestSessionStartTime: .max)
    }

    /// ``fetch(keyFrom:keyTo:)`` in reverse order.
    public func backwardFetch(keyFrom: Key?, keyTo: Key?) throws -> [KeyValue<Windowed<Key>, Value>] {
        try fetch(keyFrom: keyFrom, keyTo: keyTo).reversed()
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

    private func storeKey(_ session: Windowed<Key>) throws -> [UInt8] {
        SessionKeySchema.storeKey(try serializeKey(session.key), start: session.window.start, end: session.window.end)
    }

    private func decode(_ entries: [(key: [UInt8], value: [UInt8])]) throws -> [KeyValue<Windowed<Key>, Value>] {
        try entries.map { entry in
            try entry.key.withUnsafeBytes { raw in
                let key = try keySerde.deserialize(SessionKeySchema.recordKey(raw))
                let window = TimeWindow(start: SessionKeySchema.sessionStart(raw), end: SessionKeySchema.sessionEnd(raw))
                return KeyValue(Windowed(key: key, window: window), try valueSerde.deserialize(entry.value))
            }
        }
    }
}
