/// A bounded cache of recent reads and writes in front of a task's RocksDB window or session store
/// (``SegmentedBytesStore``), used only by the thread that processes the task.
///
/// A windowed aggregation reads its window's key just before writing it, and on RocksDB that read
/// is a memtable skiplist search (~15,000 instructions a record in the benchmarks' windowed count).
/// As in front of key-value stores (``ReadCachingKeyValueBytesStore``), writes go through at once
/// and update the cache, so the segmented store stays the truth: interactive queries and range
/// reads (`fetch`) read it directly, and nothing is lost when the cache drops an entry. The slots
/// and their sizing are ``ReadCacheTable``'s; writes and ranges, ``ReadCachingLayer``'s.
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
final class ReadCachingSegmentedBytesStore: ReadCachingLayer {
    let inner: any RetentionBoundedBytesStore
    let cache: ReadCacheTable
    var cachedStore: any KeyValueBytesStore { inner }

    init(inner: any RetentionBoundedBytesStore, budget: ReadCacheBudget) {
        self.inner = inner
        self.cache = ReadCacheTable(budget: budget)
    }

    func get(_ key: [UInt8]) throws -> [UInt8]? {
        guard try inner.isReadable(key) else { return nil }
        return try cache.value(of: key) { try inner.get($0) }
    }
}
