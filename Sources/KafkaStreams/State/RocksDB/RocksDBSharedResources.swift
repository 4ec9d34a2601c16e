import RocksDB
import Synchronization

/// The block cache shared by every RocksDB store of the process, sized from
/// `StreamsConfig.stateStoreMemoryBytes`.
enum RocksDBSharedResources {
    private static let cache = Mutex<(bytes: Int, cache: RocksDBCache)?>(nil)

    /// The part of `StreamsConfig.stateStoreMemoryBytes` that the stream threads' read caches in
    /// front of RocksDB stores take together (``ReadCacheTable``): an eighth. The block cache takes three eighths, write buffers the other half.
    static func readCacheBytes(for config: StreamsConfig) -> Int {
        config.stateStoreMemoryBytes / 8
    }

    /// The options of one store's database: the shared cache and write-buffer budget, then the
    /// application's `rocksDBConfigSetter`, if any.
    ///
    /// Key-value stores (`inplaceUpdates`) overwrite values in the memtable instead of adding a
    /// version per update: a count updated a thousand times between two flushes is one memtable
    /// entry, not a thousand, which makes every lookup and insert search a far smaller skiplist.
    /// Their iterators then cannot go backwards and are not snapshots, which
    /// ``RocksDBKeyValueStore`` allows for (it reverses ranges itself and queries read values with
    /// `get`). Window and session segments are such stores too (``SegmentedBytesStore`` reads its
    /// segments forwards, under its lock).
    ///
    /// Every store has a Bloom filter on its SST files, as in Kafka Streams. Stores that often read
    /// keys they do not hold (`memtableFilter`: window and session stores, whose aggregations read
    /// each new window's key before writing it) also have one on their memtables, which spares
    /// those reads a skiplist search. Key-value stores go without: their read cache answers
    /// repeated keys, and the filter's fixed share of every memtable (even the near-empty one of
    /// the offsets column family) cost the memory check ~9 MiB at 1,000,000 new keys.
    ///
    /// RocksDB's informational `LOG` file is off: RocksDB 7.8 as Debian builds it aborts the
    /// process when it writes to that file again after a write failed, so a full disk would
    /// crash the application instead of failing the store with an error (docs/state.md).
    static func options(
        for config: StreamsConfig, store: String, inplaceUpdates: Bool = false, memtableFilter: Bool = false
    ) -> RocksDBOptions {
        var options = RocksDBOptions()
        options.createIfMissing = true
        let budget = config.stateStoreMemoryBytes
        options.blockCache = cache.withLock { shared in
            if let shared, shared.bytes == budget { return shared.cache }
            let made = RocksDBCache(capacity: budget / 2 - readCacheBytes(for: config))
            shared = (budget, made)
            return made
        }
        // Write buffers take the other half of the budget, across all stores.
        options.dbWriteBufferSize = budget / 2
        options.writeBufferSize = min(16 * 1024 * 1024, max(1024 * 1024, budget / 8))
        options.inplaceUpdateSupport = inplaceUpdates
        options.bloomFilterBitsPerKey = 10
        if memtableFilter { options.memtableBloomFilterRatio = 0.02 }
        // Only interactive queries contend with the processing thread: a few dozen locks do,
        // where RocksDB's default 10,000 per memtable cost ~20 MiB across a dozen stores.
        options.inplaceUpdateLocks = 64
        options.infoLog = .off
        config.rocksDBConfigSetter?(store, &options)
        return options
    }
}
