internal import CRocksDB

/// An LRU block cache that can be shared by many ``RocksDB`` instances.
///
/// Give the same cache to every store of a process (``RocksDBOptions/blockCache``) to bound the
/// memory used for uncompressed data blocks (and, with
/// ``RocksDBOptions/cacheIndexAndFilterBlocks``, index and filter blocks) across all of them.
///
/// Databases keep their own reference to the cache, so it may be released before them.
public final class RocksDBCache {
    let pointer: OpaquePointer

    /// Creates an LRU cache.
    ///
    /// - Parameters:
    ///   - capacity: The capacity in bytes; negative values are treated as 0.
    ///   - strictCapacityLimit: When `true`, inserts beyond the capacity fail (reads then bypass
    ///     the cache) instead of letting the cache grow past its capacity temporarily.
    public init(capacity: Int, strictCapacityLimit: Bool = false) {
        let capacity = max(capacity, 0)
        if strictCapacityLimit {
            self.pointer = rocksdb_cache_create_lru_with_strict_capacity_limit(capacity)
        } else {
            self.pointer = rocksdb_cache_create_lru(capacity)
        }
    }

    deinit {
        // Only drops this wrapper's reference: databases using the cache hold their own.
        rocksdb_cache_destroy(self.pointer)
    }

    /// The capacity in bytes.
    public var capacity: Int {
        rocksdb_cache_get_capacity(self.pointer)
    }

    /// Changes the capacity; negative values are treated as 0. Shrinking evicts entries as needed.
    public func setCapacity(_ capacity: Int) {
        rocksdb_cache_set_capacity(self.pointer, max(capacity, 0))
    }

    /// The bytes currently held by the cache.
    public var usage: Int {
        rocksdb_cache_get_usage(self.pointer)
    }

    /// The bytes held by entries that are in use and cannot be evicted.
    public var pinnedUsage: Int {
        rocksdb_cache_get_pinned_usage(self.pointer)
    }
}

// Thread rules: RocksDB's LRU cache is internally synchronized, so every method may be called from
// any thread, and the cache may be shared by databases used on different threads.
extension RocksDBCache: @unchecked Sendable {}
