/// Holds a store's writes until the transaction that made them commits: the basis of
/// exactly-once state without a wipe after a crash.
///
/// Under exactly-once the store on disk must never be ahead of the last committed transaction.
/// Writes therefore go to an in-memory overlay that reads see first: a ``ByteBTree`` of pending
/// puts (values kept as written: a key written again overwrites its buffer in place, nothing is
/// allocated) and one of pending deletes; a key is in at most one of them. ``commit()`` applies
/// the overlay to the store in one atomic step (``AtomicBatchWriting``: a RocksDB `WriteBatch`, or
/// one locked pass over the in-memory tree), and ``abort()`` drops it. ``isOverBudget`` tells the
/// stream thread to commit early when the overlay holds more than `maxPendingBytes`.
final class TransactionBufferingKeyValueBytesStore: KeyValueBytesStore {
    let inner: any KeyValueBytesStore & AtomicBatchWriting
    /// Pending puts, and pending deletes (with empty values).
    private var puts = ByteBTree()
    private var deletes = ByteBTree()
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
    var hasPendingWrites: Bool { puts.count > 0 || deletes.count > 0 }

    func get(_ key: [UInt8]) throws -> [UInt8]? {
        if let value = puts.get(key) { return value }
        if deletes.count > 0 && deletes.contains(key) { return nil }
        return try inner.get(key)
    }

    func put(_ key: [UInt8], _ value: [UInt8]) throws {
        if deletes.count > 0, deletes.remove(key) != nil { pendingBytes -= key.count }
        if let replaced = puts.setReturningReplacedCount(key, value) {
            pendingBytes += value.count - replaced
        } else {
            pendingBytes += key.count + value.count
        }
    }

    @discardableResult
    func delete(_ key: [UInt8]) throws -> [UInt8]? {
        let old = try get(key)
        if let removed = puts.remove(key) { pendingBytes -= key.count + removed.count }
        if deletes.setReturningReplacedCount(key, []) == nil { pendingBytes += key.count }
        return old
    }

    func range(from: [UInt8]?, to: [UInt8]?, reverse: Bool) throws -> [(key: [UInt8], value: [UInt8])] {
        let stored = try inner.range(from: from, to: to, reverse: reverse)
        guard hasPendingWrites else { return stored }
        let overlay = self.overlay(from: from, to: to, reverse: reverse)
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
            if let value = overlay[j].value { result.append((overlay[j].key, value)) }
            j += 1
        }
        return result
    }

    /// Pending puts and deletes (`nil`) in the range, in order.
    private func overlay(from: [UInt8]?, to: [UInt8]?, reverse: Bool) -> [(key: [UInt8], value: [UInt8]?)] {
        let written = puts.entries(from: from, to: to, toInclusive: true, reverse: reverse)
        guard deletes.count > 0 else { return written.map { ($0.key, $0.value) } }
        let deleted = deletes.entries(from: from, to: to, toInclusive: true, reverse: reverse)
        var merged: [(key: [UInt8], value: [UInt8]?)] = []
        merged.reserveCapacity(written.count + deleted.count)
        var i = 0
        var j = 0
        while i < written.count || j < deleted.count {
            let takeWritten: Bool
            if j == deleted.count {
                takeWritten = true
            } else if i == written.count {
                takeWritten = false
            } else {
                let order = ByteBTree.compare(written[i].key, deleted[j].key)
                takeWritten = reverse ? order > 0 : order < 0
            }
            if takeWritten {
                merged.append((written[i].key, written[i].value))
                i += 1
            } else {
                merged.append((deleted[j].key, nil))
                j += 1
            }
        }
        return merged
    }

    func approximateNumEntries() throws -> Int {
        try inner.approximateNumEntries() + puts.count
    }

    func removeAll() throws {
        abort()
        try inner.removeAll()
    }

    /// Applies every pending write to the store atomically, together with the changelog offset
    /// the store's data then covers and the task's source high-water marks (if given), then
    /// forgets them.
    func commit(checkpoint: ChangelogCheckpoint? = nil, sourceHighWater: [UInt8]? = nil) throws {
        guard hasPendingWrites || checkpoint != nil || sourceHighWater != nil else { return }
        var writes: [(key: [UInt8], value: [UInt8]?)] = []
        writes.reserveCapacity(puts.count + deletes.count)
        puts.forEach(from: nil, to: nil, toInclusive: true, reverse: false) { key, value in
            writes.append((key, value))
            return true
        }
        deletes.forEach(from: nil, to: nil, toInclusive: true, reverse: false) { key, _ in
            writes.append((key, nil))
            return true
        }
        try inner.applyAtomically(writes, checkpoint: checkpoint, sourceHighWater: sourceHighWater)
        abort()
    }

    /// Forgets every pending write: the transaction was aborted.
    func abort() {
        puts.removeAll()
        deletes.removeAll()
        pendingBytes = 0
    }

    /// Pending writes are not durable until ``commit()``: flushing flushes the store only.
    func flush() throws { try inner.flush() }

    func close() throws {
        abort()
        try inner.close()
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
