/// The record cache of one stream thread (Kafka Streams' `ThreadCache`): a bounded LRU map from
/// (store, key) to the latest unflushed value, shared by all cached stores of the thread's tasks.
///
/// Updates of the same key between commits are coalesced: only the latest reaches the store, the
/// changelog and downstream processors, at the next commit or when the entry is evicted to make
/// room. `maxBytes == 0` disables caching (stores then write through).
final class ThreadCache {
    /// What the cache knows of the record that last wrote an entry, for forwarding it later.
    struct RecordContext {
        var timestamp: Int64
        var headers: RecordHeaders
        var metadata: RecordMetadata?
    }

    struct Entry {
        var value: [UInt8]?
        var isDirty: Bool
        var context: RecordContext
        var sizeInBytes: Int { (value?.count ?? 0) + 64 }
    }

    /// Writes one dirty entry to its store (and forwards it); set by each cached store.
    typealias Flusher = (_ key: [UInt8], _ entry: Entry) throws -> Void

    private struct Slot {
        var namespace: Int
        var key: [UInt8]
        var entry: Entry
        var newer: Int?
        var older: Int?
    }

    private struct SlotKey: Hashable {
        var namespace: Int
        var key: ByteKey

        init(namespace: Int, key: [UInt8]) {
            self.namespace = namespace
            self.key = ByteKey(key)
        }
    }

    let maxBytes: Int
    // Unchecked for exclusive access: the cache belongs to one stream thread, and no access
    // spans a call out (flushers run between accesses, and may use the cache). Checked, each
    // get paid ~89 instructions of dynamic checks.
    @exclusivity(unchecked) private(set) var sizeInBytes = 0
    @exclusivity(unchecked) private var slots: [Slot?] = []
    @exclusivity(unchecked) private var freeSlots: [Int] = []
    @exclusivity(unchecked) private var index: [SlotKey: Int] = [:]
    /// Least recently used first.
    @exclusivity(unchecked) private var oldest: Int?
    @exclusivity(unchecked) private var newest: Int?
    private var flushers: [Int: Flusher] = [:]
    private var nextNamespace = 0

    init(maxBytes: Int) {
        self.maxBytes = maxBytes
    }

    var count: Int { index.count }

    /// Registers a store; its dirty entries are written through `flusher`.
    func register(_ flusher: @escaping Flusher) -> Int {
        let namespace = nextNamespace
        nextNamespace += 1
        flushers[namespace] = flusher
        return namespace
    }

    /// Drops a store's entries without flushing them (its task is closing dirty, or has flushed).
    func unregister(_ namespace: Int) {
        for (slotKey, slot) in index where slotKey.namespace == namespace { remove(slot) }
        flushers.removeValue(forKey: namespace)
    }

    func get(_ namespace: Int, _ key: [UInt8]) -> Entry? {
        guard let slot = index[SlotKey(namespace: namespace, key: key)] else { return nil }
        touch(slot)
        return slots[slot]?.entry
    }

    /// Stores an entry as the most recent, then evicts least recently used entries (flushing the
    /// dirty ones) while the cache is over its size.
    func put(_ namespace: Int, _ key: [UInt8], _ entry: Entry) throws {
        let slotKey = SlotKey(namespace: namespace, key: key)
        if let slot = index[slotKey], var existing = slots[slot] {
            sizeInBytes += entry.sizeInBytes - existing.entry.sizeInBytes
            existing.entry = entry
            slots[slot] = existing
            touch(slot)
        } else {
            let slot = freeSlots.popLast() ?? { slots.append(nil); return slots.count - 1 }()
            slots[slot] = Slot(namespace: namespace, key: key, entry: entry, newer: nil, older: newest)
            if let newest { slots[newest]?.newer = slot }
            newest = slot
            if oldest == nil { oldest = slot }
            index[slotKey] = slot
            sizeInBytes += entry.sizeInBytes + key.count
        }
        while sizeInBytes > maxBytes, let victim = oldest {
            try evict(victim)
        }
    }

    /// Writes every dirty entry of a store, oldest first, and keeps them as clean entries.
    ///
    /// Flushing forwards records downstream, where other cached stores may be written (and
    /// evict): the dirty entries are listed first and each is checked again before it is written.
    func flush(_ namespace: Int) throws {
        guard let flusher = flushers[namespace] else { return }
        var dirty: [(slot: Int, key: [UInt8])] = []
        var slot = oldest
        while let current = slot, let entry = slots[current] {
            if entry.namespace == namespace && entry.entry.isDirty { dirty.append((current, entry.key)) }
            slot = entry.newer
        }
        for (slot, key) in dirty {
            guard var entry = slots[slot], entry.namespace == namespace, entry.key == key, entry.entry.isDirty else {
                continue
            }
            entry.entry.isDirty = false
            slots[slot] = entry
            try flusher(key, entry.entry)
        }
    }

    /// Whether a store has entries not yet written to it.
    func hasDirtyEntries(_ namespace: Int) -> Bool {
        var slot = oldest
        while let current = slot, let entry = slots[current] {
            if entry.namespace == namespace && entry.entry.isDirty { return true }
            slot = entry.newer
        }
        return false
    }

    private func evict(_ slot: Int) throws {
        guard let victim = slots[slot] else { return }
        remove(slot)
        if victim.entry.isDirty, let flusher = flushers[victim.namespace] {
            try flusher(victim.key, victim.entry)
        }
    }

    private func remove(_ slot: Int) {
        guard let victim = slots[slot] else { return }
        unlink(slot)
        index.removeValue(forKey: SlotKey(namespace: victim.namespace, key: victim.key))
        sizeInBytes -= victim.entry.sizeInBytes + victim.key.count
        slots[slot] = nil
        freeSlots.append(slot)
    }

    private func touch(_ slot: Int) {
        guard newest != slot else { return }
        unlink(slot)
        slots[slot]?.older = newest
        slots[slot]?.newer = nil
        if let newest { slots[newest]?.newer = slot }
        newest = slot
        if oldest == nil { oldest = slot }
    }

    private func unlink(_ slot: Int) {
        guard let current = slots[slot] else { return }
        if let older = current.older { slots[older]?.newer = current.newer } else { oldest = current.newer }
        if let newer = current.newer { slots[newer]?.older = current.older } else { newest = current.older }
        slots[slot]?.older = nil
        slots[slot]?.newer = nil
    }
}
