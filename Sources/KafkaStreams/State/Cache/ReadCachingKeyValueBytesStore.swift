/// A bounded cache of recent reads and writes in front of a task's RocksDB key-value store, used
/// only by the thread that processes the task.
///
/// A RocksDB lookup costs microseconds here (a memtable skiplist search, then SST files), and
/// aggregations read every key just before writing it. Writes go through to RocksDB at once and
/// update the cache, so RocksDB stays the truth: interactive queries, which read RocksDB directly
/// from other threads, see every write, and nothing is lost when the cache drops an entry. Unlike
/// the record cache (``CachingKeyValueBytesStore``) it changes nothing downstream or in the
/// changelog. The slots and their sizing are ``ReadCacheTable``'s; writes and ranges,
/// ``ReadCachingLayer``'s.
final class ReadCachingKeyValueBytesStore: ReadCachingLayer {
    let inner: RocksDBKeyValueStore
    let cache: ReadCacheTable
    var cachedStore: any KeyValueBytesStore { inner }

    init(inner: RocksDBKeyValueStore, budget: ReadCacheBudget) {
        self.inner = inner
        self.cache = ReadCacheTable(budget: budget)
    }

    func get(_ key: [UInt8]) throws -> [UInt8]? {
        try cache.value(of: key) { try inner.get($0) }
    }
}

extension ReadCachingKeyValueBytesStore: AtomicBatchWriting {
    func applyAtomically(
        _ writes: [(key: [UInt8], value: [UInt8]?)], checkpoint: ChangelogCheckpoint?, sourceHighWater: [UInt8]?
    ) throws {
        do {
            try inner.applyAtomically(writes, checkpoint: checkpoint, sourceHighWater: sourceHighWater)
        } catch {
            // Whatever RocksDB kept, the cache must not claim more.
            cache.forgetAll()
            throw error
        }
        for write in writes { cache.remember(write.key, write.value) }
    }
}

extension ReadCachingKeyValueBytesStore: CheckpointingStore {
    func storeCheckpoint(topic: String, partition: Int32, offset: Int64) throws {
        try inner.storeCheckpoint(topic: topic, partition: partition, offset: offset)
    }

    func storedCheckpoint(topic: String, partition: Int32) throws -> Int64? {
        try inner.storedCheckpoint(topic: topic, partition: partition)
    }

    func storedSourceHighWater() throws -> [UInt8]? { try inner.storedSourceHighWater() }
}
