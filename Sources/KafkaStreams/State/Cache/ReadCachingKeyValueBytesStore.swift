/// A bounded cache of recent reads and writes in front of a task's RocksDB key-value store, used
/// only by the thread that processes the task.
///
/// A RocksDB lookup costs microseconds here (a memtable skiplist search, then SST files), and
/// aggregations read every key just before writing it. Writes go through to RocksDB at once and
/// update the cache, so RocksDB stays the truth: interactive queries, which read RocksDB directly
/// from other threads, see every write, and nothing is lost when the cache drops an entry. Unlike
/// the record cache (``CachingKeyValueBytesStore``) it changes nothing downstream or in the
/// changelog.
///
/// Direct-mapped: a key has one slot, found by its hash; a key read or written takes the slot
/// from whatever key held it. It also remembers keys known to be absent. Entries count against the
/// thread's ``ReadCacheBudget``; one larger than ``maxEntryBytes``, or one that does not fit the
/// budget, is simply not cached.
final class ReadCachingKeyValueBytesStore: KeyValueBytesStore {
    private struct Slot {
        var key: [UInt8] = []
        var value: [UInt8]?
        var isOccupied = false
    }

    /// Slots per store: a power of two.
    static let slotCount = 4096
    /// The largest entry (key + value bytes) cached.
    static let maxEntryBytes = 1024
    /// What an entry costs beyond its bytes (two array headers and the slot).
    static let entryOverhead = 80

    let inner: RocksDBKeyValueStore
    private let budget: ReadCacheBudget
    /// Allocated at the first access.
    private var slots: [Slot] = []
    /// Lookups answered by the cache and by RocksDB, for tests and metrics.
    private(set) var hits = 0
    private(set) var misses = 0

    var name: String { inner.name }
    var isPersistent: Bool { inner.isPersistent }

    init(inner: RocksDBKeyValueStore, budget: ReadCacheBudget) {
        self.inner = inner
        self.budget = budget
    }

    func get(_ key: [UInt8]) throws -> [UInt8]? {
        let index = slotIndex(of: key)
        if slots[index].isOccupied && slots[index].key == key {
            hits += 1
            return slots[index].value
        }
        misses += 1
        let value = try inner.get(key)
        remember(key, value, at: index, copyingValue: false)
        return value
    }

    func put(_ key: [UInt8], _ value: [UInt8]) throws {
        try inner.put(key, value)
        remember(key, value, at: slotIndex(of: key), copyingValue: true)
    }

    @discardableResult
    func delete(_ key: [UInt8]) throws -> [UInt8]? {
        let old = try inner.delete(key)
        remember(key, nil, at: slotIndex(of: key), copyingValue: false)
        return old
    }

    func range(from: [UInt8]?, to: [UInt8]?, reverse: Bool) throws -> [(key: [UInt8], value: [UInt8])] {
        try inner.range(from: from, to: to, reverse: reverse)
    }

    func approximateNumEntries() throws -> Int { try inner.approximateNumEntries() }

    func removeAll() throws {
        forgetAll()
        try inner.removeAll()
    }

    func flush() throws { try inner.flush() }

    func close() throws {
        forgetAll()
        try inner.close()
    }

    // MARK: - Slots

    @inline(__always)
    private func slotIndex(of key: [UInt8]) -> Int {
        if slots.isEmpty { slots = Array(repeating: Slot(), count: Self.slotCount) }
        let hash = key.withUnsafeBytes { Murmur2.hash($0) }
        return Int(truncatingIfNeeded: UInt32(bitPattern: hash)) & (Self.slotCount - 1)
    }

    private static func charge(keyCount: Int, value: [UInt8]?) -> Int {
        keyCount + (value?.count ?? 0) + entryOverhead
    }

    /// Makes the slot hold `key` → `value` (`nil`: known absent), or empties it when the entry
    /// is too large or over budget. Copies the key into the slot's own buffer, as callers reuse
    /// their key buffers; likewise the value when `copyingValue` (values written), else keeps the
    /// array (values RocksDB just returned). Keeping a caller's buffer would make its next reuse
    /// allocate.
    private func remember(_ key: [UInt8], _ value: [UInt8]?, at index: Int, copyingValue: Bool) {
        let old = slots[index].isOccupied ? Self.charge(keyCount: slots[index].key.count, value: slots[index].value) : 0
        let new = Self.charge(keyCount: key.count, value: value)
        guard new - Self.entryOverhead <= Self.maxEntryBytes, budget.exchange(old: old, new: new) else {
            budget.refund(old)
            slots[index] = Slot()
            return
        }
        if !(slots[index].isOccupied && slots[index].key == key) {
            slots[index].key.removeAll(keepingCapacity: true)
            slots[index].key.append(contentsOf: key)
        }
        if copyingValue, let value, slots[index].value != nil {
            slots[index].value!.removeAll(keepingCapacity: true)
            slots[index].value!.append(contentsOf: value)
        } else {
            slots[index].value = value
        }
        slots[index].isOccupied = true
    }

    private func forgetAll() {
        for index in slots.indices where slots[index].isOccupied {
            budget.refund(Self.charge(keyCount: slots[index].key.count, value: slots[index].value))
        }
        slots = []
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
            forgetAll()
            throw error
        }
        for write in writes { remember(write.key, write.value, at: slotIndex(of: write.key), copyingValue: false) }
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
