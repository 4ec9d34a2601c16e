/// What the read caches in front of a task's RocksDB stores share (``ReadCachingKeyValueBytesStore``,
/// ``ReadCachingSegmentedBytesStore``): writes go through to the store at once and then update the
/// table, so the store stays the truth; ranges are the store's. Each cache reads (`get`) its own way.
protocol ReadCachingLayer: KeyValueBytesStore {
    /// The store under the cache.
    var cachedStore: any KeyValueBytesStore { get }
    var cache: ReadCacheTable { get }
}

extension ReadCachingLayer {
    var name: String { cachedStore.name }
    var isPersistent: Bool { cachedStore.isPersistent }
    /// Slots of the cache's table (0 before the first access), and lookups answered by the cache
    /// and by the store: for tests and metrics.
    var slotCount: Int { cache.slotCount }
    var hits: Int { cache.hits }
    var misses: Int { cache.misses }

    func put(_ key: [UInt8], _ value: [UInt8]) throws {
        try cachedStore.put(key, value)
        cache.remember(key, value)
    }

    @discardableResult
    func delete(_ key: [UInt8]) throws -> [UInt8]? {
        let old = try cachedStore.delete(key)
        cache.remember(key, nil)
        return old
    }

    func range(from: [UInt8]?, to: [UInt8]?, reverse: Bool) throws -> [(key: [UInt8], value: [UInt8])] {
        try cachedStore.range(from: from, to: to, reverse: reverse)
    }

    func queryRange(from: [UInt8]?, to: [UInt8]?, reverse: Bool) throws -> [(key: [UInt8], value: [UInt8])] {
        try cachedStore.queryRange(from: from, to: to, reverse: reverse)
    }

    func approximateNumEntries() throws -> Int { try cachedStore.approximateNumEntries() }

    func removeAll() throws {
        // Emptied even when the store fails part-way: whatever it kept, the table claims nothing.
        cache.forgetAll()
        try cachedStore.removeAll()
    }

    func flush() throws { try cachedStore.flush() }

    func close() throws {
        cache.release()
        try cachedStore.close()
    }
}
