/// A bounded cache of recent reads and writes in front of a task's RocksDB window or session store
/// (``SegmentedBytesStore``), used only by the thread that processes the task.
///
/// A windowed aggregation reads its window's key just before writing it, and on RocksDB that read
/// is a memtable skiplist search (~15,000 instructions a record in the benchmarks' windowed count).
/// As in front of key-value stores (``ReadCachingKeyValueBytesStore``), writes go through at once
/// and update the cache, so the segmented store stays the truth: interactive queries and range
/// reads (`fetch`) read it directly, and nothing is lost when the cache drops an entry. The slots
/// and their sizing are ``ReadCacheTable``'s.
///
/// Keys expire: a key behind the store's retention period reads as absent, whatever the table
/// holds, so every read first asks the store whether the key is still readable (a lock and a
/// comparison), then the table. Entries of expired keys (those of dropped segments, and writes
/// the store dropped as expired) never answer again and are pushed out as their sets fill.
/// ``removeAll()``, which makes old times readable again, empties the table.
///
/// Not ``AtomicBatchWriting`` or ``CheckpointingStore``: window and session stores write through
/// under exactly-once and keep their changelog offsets in the task's checkpoint file
/// (docs/exactly-once.md), and the task finds out which stores are which by those conformances.
final class ReadCachingSegmentedBytesStore: KeyValueBytesStore {
    let inner: any RetentionBoundedBytesStore
    private let cache: ReadCacheTable

    var name: String { inner.name }
    var isPersistent: Bool { inner.isPersistent }
    /// Slots of the cache's table (0 before the first access), and lookups answered by the cache
    /// and by the store: for tests and metrics.
    var slotCount: Int { cache.slotCount }
    var hits: Int { cache.hits }
    var misses: Int { cache.misses }

    init(inner: any RetentionBoundedBytesStore, budget: ReadCacheBudget) {
        self.inner = inner
        self.cache = ReadCacheTable(budget: budget)
    }

    func get(_ key: [UInt8]) throws -> [UInt8]? {
        guard try inner.isReadable(key) else { return nil }
        return try cache.value(of: key) { try inner.get($0) }
    }

    func put(_ key: [UInt8], _ value: [UInt8]) throws {
        try inner.put(key, value)
        cache.remember(key, value)
    }

    @discardableResult
    func delete(_ key: [UInt8]) throws -> [UInt8]? {
        let old = try inner.delete(key)
        cache.remember(key, nil)
        return old
    }

    func range(from: [UInt8]?, to: [UInt8]?, reverse: Bool) throws -> [(key: [UInt8], value: [UInt8])] {
        try inner.range(from: from, to: to, reverse: reverse)
    }

    func queryRange(from: [UInt8]?, to: [UInt8]?, reverse: Bool) throws -> [(key: [UInt8], value: [UInt8])] {
        try inner.queryRange(from: from, to: to, reverse: reverse)
    }

    func approximateNumEntries() throws -> Int { try inner.approximateNumEntries() }

    func removeAll() throws {
        // Emptied even when the store fails part-way: whatever it kept, the table claims nothing.
        cache.forgetAll()
        try inner.removeAll()
    }

    func flush() throws { try inner.flush() }

    func close() throws {
        cache.release()
        try inner.close()
    }
}
