/// Holds a store's writes until the transaction that made them commits: the basis of
/// exactly-once state without a wipe after a crash.
///
/// Under exactly-once the store on disk must never be ahead of the last committed transaction.
/// Writes therefore go to an in-memory overlay (a ``ByteBTree`` of pending puts and deletes) that
/// reads see first; ``commit()`` applies the overlay to the store in one atomic step
/// (``AtomicBatchWriting``: a RocksDB `WriteBatch`, or one locked pass over the in-memory tree), and
/// ``abort()`` drops it. ``isOverBudget`` tells the stream thread to commit early when the overlay
/// holds more than `maxPendingBytes`.
final class TransactionBufferingKeyValueBytesStore: KeyValueBytesStore {
    let inner: any KeyValueBytesStore & AtomicBatchWriting
    /// Pending writes: `[1][value]` for a put, `[0]` for a delete.
    private var pending = ByteBTree()
    private(set) var pendingBytes = 0
    let maxPendingBytes: Int

    var name: String { inner.name }
    var isPersistent: Bool { inner.isPersistent }

    init(inner: any KeyValueBytesStore & AtomicBatchWriting, maxPendingBytes: Int) {
        self.inner = inner
        self.maxPendingBytes = maxPendingBytes
    }

    /// Whether the overlay has grown past its budget: the transaction should commit now.
    var isOverBudget: Bool { pendingBytes > maxPendingBytes }

    /// Whether writes are waiting for a commit.
    var hasPendingWrites: Bool { pending.count > 0 }

    func get(_ key: [UInt8]) throws -> [UInt8]? {
        if let marked = pending.get(key) { return Self.unmark(marked) }
        return try inner.get(key)
    }

    func put(_ key: [UInt8], _ value: [UInt8]) throws {
        record(key, [1] + value)
    }

    @discardableResult
    func delete(_ key: [UInt8]) throws -> [UInt8]? {
        let old = try get(key)
        record(key, [0])
        return old
    }

    func range(from: [UInt8]?, to: [UInt8]?, reverse: Bool) throws -> [(key: [UInt8], value: [UInt8])] {
        let stored = try inner.range(from: from, to: to, reverse: reverse)
        guard pending.count > 0 else { return stored }
        let overlay = pending.entries(from: from, to: to, toInclusive: true, reverse: reverse)
        // Merge two sorted lists; the overlay wins on equal keys and hides deleted keys.
        var result: [(key: [UInt8], value: [UInt8])] = []
        result.reserveCapacity(stored.count + overlay.count)
        var i = 0
        var j = 0
        let before: ([UInt8], [UInt8]) -> Bool = { a, b in
            let order = ByteBTree.compare(a, b)
            return reverse ? order > 0 : order < 0
        }
        while i < stored.count || j < overlay.count {
            if j == overlay.count || (i < stored.count && before(stored[i].key, overlay[j].key)) {
                result.append(stored[i])
                i += 1
                continue
            }
            if i < stored.count && ByteBTree.compare(stored[i].key, overlay[j].key) == 0 { i += 1 }
            if let value = Self.unmark(overlay[j].value) { result.append((overlay[j].key, value)) }
            j += 1
        }
        return result
    }

    func approximateNumEntries() throws -> Int {
        try inner.approximateNumEntries() + pending.count
    }

    func removeAll() throws {
        abort()
        try inner.removeAll()
    }

    /// Applies every pending write to the store atomically, together with the changelog offset
    /// the store's data then covers and the task's source high-water marks (if given), then
    /// forgets them.
    func commit(checkpoint: ChangelogCheckpoint? = nil, sourceHighWater: [UInt8]? = nil) throws {
        guard pending.count > 0 || checkpoint != nil || sourceHighWater != nil else { return }
        var writes: [(key: [UInt8], value: [UInt8]?)] = []
        writes.reserveCapacity(pending.count)
        pending.forEach(from: nil, to: nil, toInclusive: true, reverse: false) { key, marked in
            writes.append((key, Self.unmark(marked)))
            return true
        }
        try inner.applyAtomically(writes, checkpoint: checkpoint, sourceHighWater: sourceHighWater)
        abort()
    }

    /// Forgets every pending write: the transaction was aborted.
    func abort() {
        pending.removeAll()
        pendingBytes = 0
    }

    /// Pending writes are not durable until ``commit()``: flushing flushes the store only.
    func flush() throws { try inner.flush() }

    func close() throws {
        abort()
        try inner.close()
    }

    private func record(_ key: [UInt8], _ marked: [UInt8]) {
        if let old = pending.put(key, marked) {
            pendingBytes += marked.count - old.count
        } else {
            pendingBytes += key.count + marked.count
        }
    }

    private static func unmark(_ marked: [UInt8]) -> [UInt8]? {
        guard marked.first == 1 else { return nil }
        return Array(marked.dropFirst())
    }
}

/// The changelog position a store's data covers: the next changelog offset to restore from.
struct ChangelogCheckpoint: Equatable {
    var topic: String
    var partition: Int32
    var offset: Int64
}

/// A store that can apply a batch of writes all at once or not at all.
protocol AtomicBatchWriting {
    /// Applies puts (non-`nil` values) and deletes (`nil`) atomically; a store that keeps its
    /// changelog offset (``CheckpointingStore``) writes `checkpoint` and `sourceHighWater` (see
    /// ``SourceHighWater``) in the same atomic step.
    func applyAtomically(
        _ writes: [(key: [UInt8], value: [UInt8]?)], checkpoint: ChangelogCheckpoint?, sourceHighWater: [UInt8]?
    ) throws
}

extension InMemoryKeyValueStore: AtomicBatchWriting {
    /// One pass under the store's lock: queries never see half a batch. In-memory state is
    /// restored from the changelog's start, so the checkpoint is not kept.
    func applyAtomically(
        _ writes: [(key: [UInt8], value: [UInt8]?)], checkpoint: ChangelogCheckpoint?, sourceHighWater: [UInt8]?
    ) throws {
        applyUnderLock(writes)
    }
}
