/// A read-only, typed view of one window store across all local tasks, for interactive queries
/// and the test driver: the store of a windowed aggregation (`windowedBy(...).count(...)` and the
/// like) or a window store added with ``Stores/windowStoreBuilder(_:key:value:)``.
///
/// ```swift
/// let counts = try streams.store(.windowStore(name: "clicks-per-minute", key: .string, value: .int64))
/// let lastHour = try counts.fetch("alice", timeFrom: now - 3_600_000, timeTo: now)  // [KeyValue(window start, count)]
/// ```
///
/// Safe to use from any thread while processing runs: each task's store takes its lock for a
/// read. Queries read the stores beneath the record cache, so they see an update once the cache
/// has flushed it (at each commit, or on eviction); windows older than the retention period are
/// not returned. Times are epoch milliseconds, and ranges are inclusive at both ends. Results are
/// snapshots of each task's store, ordered by serialized key, then window start (a key lives in
/// one task); `backward` variants return the reverse order.
public final class ReadOnlyWindowStore<Key, Value>: Sendable {
    /// The store's name.
    public let name: String
    /// The size of the store's windows, in milliseconds: a window's end is its start plus this.
    public let windowSize: Int64
    private let query: SegmentedStoresQuery<WindowKeySchema, Key, Value>

    init(
        name: String, stores: [SegmentedBytesStore<WindowKeySchema>], key: Serde<Key>, value: Serde<Value>,
        timestamped: Bool, windowSize: Int64
    ) {
        self.name = name
        self.query = SegmentedStoresQuery(
            name: name, stores: stores, timestamped: timestamped, keySerde: key, valueSerde: value)
        self.windowSize = windowSize
    }

    /// The value of a key in the window that starts at `windowStart`, or `nil`.
    public func fetch(_ key: Key, windowStart: Int64) throws -> Value? {
        try fetch(key, timeFrom: windowStart, timeTo: windowStart).first?.value
    }

    /// The windows of a key that start in `timeFrom...timeTo`, as (window start, value), by start.
    public func fetch(_ key: Key, timeFrom: Int64, timeTo: Int64) throws -> [KeyValue<Int64, Value>] {
        try query.read(key: key, timeFrom: timeFrom, timeTo: timeTo).map { entry in
            KeyValue(entry.key.withUnsafeBytes(WindowKeySchema.windowStart), try query.decode(entry.value))
        }
    }

    /// ``fetch(_:timeFrom:timeTo:)`` latest window first.
    public func backwardFetch(_ key: Key, timeFrom: Int64, timeTo: Int64) throws -> [KeyValue<Int64, Value>] {
        try fetch(key, timeFrom: timeFrom, timeTo: timeTo).reversed()
    }

    /// The windows of keys in `keyFrom...keyTo` (`nil`: unbounded) that start in
    /// `timeFrom...timeTo`, by serialized key, then start. No result when `keyFrom` sorts after `keyTo`.
    public func fetch(keyFrom: Key?, keyTo: Key?, timeFrom: Int64, timeTo: Int64) throws -> [KeyValue<Windowed<Key>, Value>] {
        try decode(query.read(keyFrom: keyFrom, keyTo: keyTo, timeFrom: timeFrom, timeTo: timeTo))
    }

    /// ``fetch(keyFrom:keyTo:timeFrom:timeTo:)`` in reverse order.
    public func backwardFetch(keyFrom: Key?, keyTo: Key?, timeFrom: Int64, timeTo: Int64) throws
        -> [KeyValue<Windowed<Key>, Value>]
    {
        try fetch(keyFrom: keyFrom, keyTo: keyTo, timeFrom: timeFrom, timeTo: timeTo).reversed()
    }

    /// The windows of every key that start in `timeFrom...timeTo`.
    public func fetchAll(timeFrom: Int64, timeTo: Int64) throws -> [KeyValue<Windowed<Key>, Value>] {
        try decode(query.read(keyFrom: nil, keyTo: nil, timeFrom: timeFrom, timeTo: timeTo))
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

    private func decode(_ entries: [(key: [UInt8], value: [UInt8])]) throws -> [KeyValue<Windowed<Key>, Value>] {
        try query.decode(entries) {
            TimeWindow.starting(at: WindowKeySchema.windowStart($0), size: windowSize)
        }
    }
}
