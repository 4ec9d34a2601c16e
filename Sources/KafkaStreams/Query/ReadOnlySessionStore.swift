/// A read-only, typed view of one session store across all local tasks, for interactive queries
/// and the test driver: the store of a session aggregation (`windowedBy(SessionWindows...)`) or a
/// session store added with ``Stores/sessionStoreBuilder(_:key:value:)``.
///
/// ```swift
/// let sessions = try streams.store(.sessionStore(name: "visits", key: .string, value: .int64))
/// for session in try sessions.fetch("alice") { print(session.key.window, session.value) }
/// ```
///
/// Safe to use from any thread while processing runs: each task's store takes its lock for a
/// read. Queries read the stores beneath the record cache, so they see an update once the cache
/// has flushed it; sessions that ended before the retention period are not returned. Results are
/// ordered by serialized key, then session end, then start; `backward` variants return the
/// reverse order.
public final class ReadOnlySessionStore<Key, Value>: Sendable {
    /// The store's name.
    public let name: String
    private let query: SegmentedStoresQuery<SessionKeySchema, Key, Value>

    init(
        name: String, stores: [SegmentedBytesStore<SessionKeySchema>], key: Serde<Key>, value: Serde<Value>,
        timestamped: Bool
    ) {
        self.name = name
        self.query = SegmentedStoresQuery(
            name: name, stores: stores, timestamped: timestamped, keySerde: key, valueSerde: value)
    }

    /// The value of the session of `key` with exactly this start and end, or `nil`.
    public func fetchSession(_ key: Key, sessionStart: Int64, sessionEnd: Int64) throws -> Value? {
        let storeKey = SessionKeySchema.storeKey(try query.serialize(key), start: sessionStart, end: sessionEnd)
        for store in query.stores {
            if let stored = try store.get(storeKey) { return try query.decode(stored) }
        }
        return nil
    }

    /// The sessions of `key` that end at or after `earliestSessionEndTime` and start at or before
    /// `latestSessionStartTime`, earliest end first.
    public func findSessions(
        _ key: Key, earliestSessionEndTime: Int64, latestSessionStartTime: Int64
    ) throws -> [KeyValue<Windowed<Key>, Value>] {
        try decode(
            query.read(key: key, timeFrom: earliestSessionEndTime, timeTo: latestSessionStartTime))
    }

    /// The matching sessions of keys in `keyFrom...keyTo` (`nil`: unbounded), by serialized key,
    /// then end. No result when `keyFrom` sorts after `keyTo`.
    public func findSessions(
        keyFrom: Key?, keyTo: Key?, earliestSessionEndTime: Int64, latestSessionStartTime: Int64
    ) throws -> [KeyValue<Windowed<Key>, Value>] {
        try decode(
            query.read(keyFrom: keyFrom, keyTo: keyTo, timeFrom: earliestSessionEndTime, timeTo: latestSessionStartTime))
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

    private func decode(_ entries: [(key: [UInt8], value: [UInt8])]) throws -> [KeyValue<Windowed<Key>, Value>] {
        try query.decode(entries) {
            TimeWindow(start: SessionKeySchema.sessionStart($0), end: SessionKeySchema.sessionEnd($0))
        }
    }
}
