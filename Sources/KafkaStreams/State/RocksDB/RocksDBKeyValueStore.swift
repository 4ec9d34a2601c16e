import RocksDB

/// The persistent key-value store: one RocksDB database per store per task.
///
/// RocksDB is safe to use from several threads, so interactive queries read it directly.
final class RocksDBKeyValueStore: KeyValueBytesStore, Sendable {
    let name: String
    var isPersistent: Bool { true }
    let path: String
    private let db: RocksDB
    private let writeOptions: WriteOptions
    /// Exactly-once commits go through the WAL (not synced): a batch written before a process
    /// crash is there after it, so the store is never more than the commit in flight behind.
    private let walWriteOptions = WriteOptions()

    init(name: String, path: String, options: RocksDBOptions) throws {
        self.name = name
        self.path = path
        do {
            self.db = try RocksDB(path: path, options: options, columnFamilies: [Self.offsetsFamily])
        } catch {
            throw StreamsError.stateStore(store: name, message: "cannot open RocksDB at \(path): \(error)")
        }
        // The changelog topic, not the WAL, is what state is recovered from.
        var writeOptions = WriteOptions()
        writeOptions.disableWAL = true
        self.writeOptions = writeOptions
    }

    func get(_ key: [UInt8]) throws -> [UInt8]? {
        try wrap { try db.get(key) }
    }

    func put(_ key: [UInt8], _ value: [UInt8]) throws {
        try wrap { try db.put(key, value, options: writeOptions) }
    }

    /// ``get(_:)`` of a key the caller composed in a buffer of its own (a window segment's
    /// prefixed keys), without an array for it.
    func get(bytes key: UnsafeRawBufferPointer) throws -> [UInt8]? {
        try wrap { try db.get(key) }
    }

    /// ``put(_:_:)`` of a key the caller composed in a buffer of its own.
    func put(bytes key: UnsafeRawBufferPointer, _ value: [UInt8]) throws {
        try wrap { try value.withUnsafeBytes { try db.put(key, $0, options: writeOptions) } }
    }

    @discardableResult
    func delete(_ key: [UInt8]) throws -> [UInt8]? {
        try wrap {
            let old = try db.get(key)
            if old != nil { try db.delete(key, options: writeOptions) }
            return old
        }
    }

    /// Scans forward and reverses here when asked: with in-place updates (see
    /// ``RocksDBSharedResources``) RocksDB iterators cannot go backwards.
    func range(from: [UInt8]?, to: [UInt8]?, reverse: Bool) throws -> [(key: [UInt8], value: [UInt8])] {
        var result: [(key: [UInt8], value: [UInt8])] = []
        try forEachEntry(from: from, to: to) { key, value in result.append((Array(key), Array(value))) }
        if reverse { result.reverse() }
        return result
    }

    /// Keys from an iterator, values from `get`: the thread that owns the store may overwrite a
    /// value in place (in-place updates) while an iterator reads it, and only `get` takes the
    /// key's lock, so iterating values from another thread could read half of an update.
    func queryRange(from: [UInt8]?, to: [UInt8]?, reverse: Bool) throws -> [(key: [UInt8], value: [UInt8])] {
        var keys: [[UInt8]] = []
        try forEachEntry(from: from, to: to) { key, _ in keys.append(Array(key)) }
        if reverse { keys.reverse() }
        var result: [(key: [UInt8], value: [UInt8])] = []
        result.reserveCapacity(keys.count)
        for key in keys {
            // A key deleted since the scan is left out.
            if let value = try get(key) { result.append((key, value)) }
        }
        return result
    }

    /// Calls `body` with every entry whose key is in `[from, to]` (`nil`: open), ascending; with
    /// none when `from > to`. The buffers are valid only during the call.
    private func forEachEntry(
        from: [UInt8]?, to: [UInt8]?, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void
    ) throws {
        if let from, let to, ByteBTree.compare(from, to) > 0 { return }
        // RocksDB's upper bound is exclusive; the smallest key after `to` is `to + [0]`.
        try wrap {
            try db.scan(from: from, to: to.map { $0 + [0] }) { key, value in
                body(key, value)
                return true
            }
        }
    }

    func approximateNumEntries() throws -> Int {
        try wrap { Int(clamping: try db.approximateNumEntries) }
    }

    func removeAll() throws {
        // Every key, whatever its length (no upper bound key exists).
        try deleteAll(from: nil, before: nil)
    }

    /// Deletes every key in `[lowerBound, upperBound)` (`nil`: open), in batches of point
    /// deletes. Not a range deletion: with in-place updates (``RocksDBSharedResources``) a later
    /// write of a key still in the memtable would overwrite the old entry in place, under the
    /// range tombstone's newer sequence number, and stay hidden (RocksDB 7.8.3: a key put, range
    /// deleted, then put again read as absent).
    func deleteAll(from lowerBound: [UInt8]?, before upperBound: [UInt8]?) throws {
        try wrap {
            while true {
                let batch = WriteBatch()
                try db.scan(from: lowerBound, to: upperBound) { key, _ in
                    batch.delete(Array(key))
                    return batch.count < 10_000
                }
                if batch.count == 0 { return }
                try db.write(batch, options: writeOptions)
            }
        }
    }

    /// Deletes every key in `[lowerBound, upperBound)` (`nil`: to the end) in one range deletion.
    /// Only for keys not written again before the memtable is flushed (see ``deleteAll(from:before:)``).
    func deleteRange(from lowerBound: [UInt8], before upperBound: [UInt8]?) throws {
        try wrap {
            if let upperBound { return try db.deleteRange(from: lowerBound, to: upperBound, options: writeOptions) }
            // No key bounds the end: the keys from `lowerBound` on, key by key.
            try deleteAll(from: lowerBound, before: nil)
        }
    }

    /// Calls `body` with every entry whose key is in `[lowerBound, upperBound)` (`nil`: open),
    /// ascending, until it returns `false`. The buffers are valid only during the call.
    func scan(
        from lowerBound: [UInt8]?, before upperBound: [UInt8]?,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Bool
    ) throws {
        try wrap { try db.scan(from: lowerBound, to: upperBound, body) }
    }

    func flush() throws {
        try wrap { try db.flush() }
    }

    func close() throws {
        db.close()
    }

    func write(_ batch: WriteBatch) throws {
        try wrap { try db.write(batch, options: writeOptions) }
    }

    private func wrap<R>(_ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as RocksDBError {
            throw StreamsError.stateStore(store: name, message: "\(error)")
        }
    }
}

extension RocksDBKeyValueStore: AtomicBatchWriting {
    /// One RocksDB `WriteBatch`, with the changelog offset in the offsets column family, written
    /// through the WAL: after a crash either all writes and the offset are there or none.
    func applyAtomically(
        _ writes: [(key: [UInt8], value: [UInt8]?)], checkpoint: ChangelogCheckpoint?, sourceHighWater: [UInt8]?
    ) throws {
        try wrap {
            let batch = WriteBatch()
            for write in writes {
                if let value = write.value { batch.put(write.key, value) } else { batch.delete(write.key) }
            }
            if checkpoint != nil || sourceHighWater != nil {
                guard let family = try db.columnFamily(named: Self.offsetsFamily) else {
                    throw StreamsError.stateStore(store: name, message: "the offsets column family is missing")
                }
                if let checkpoint {
                    var value: [UInt8] = []
                    appendBigEndian(checkpoint.offset, to: &value)
                    try batch.put(Self.offsetKey(topic: checkpoint.topic, partition: checkpoint.partition), value, in: family)
                }
                if let sourceHighWater { try batch.put(Self.sourceHighWaterKey, sourceHighWater, in: family) }
            }
            try db.write(batch, options: walWriteOptions)
        }
    }
}

extension RocksDBKeyValueStore: CheckpointingStore {
    /// The column family holding the changelog offset the store's data covers.
    static let offsetsFamily = "kafka-streams-offsets"

    private static func offsetKey(topic: String, partition: Int32) -> [UInt8] {
        Array(topic.utf8) + [0] + Array(String(partition).utf8)
    }

    func storeCheckpoint(topic: String, partition: Int32, offset: Int64) throws {
        try wrap {
            guard let family = try db.columnFamily(named: Self.offsetsFamily) else {
                throw StreamsError.stateStore(store: name, message: "the offsets column family is missing")
            }
            var value: [UInt8] = []
            appendBigEndian(offset, to: &value)
            try db.put(Self.offsetKey(topic: topic, partition: partition), value, in: family, options: writeOptions)
        }
    }

    /// The key of the task's source high-water marks (``SourceHighWater``) in the offsets
    /// family; no changelog offset key starts with a 0 byte.
    private static let sourceHighWaterKey: [UInt8] = [0] + Array("source-high-water".utf8)

    func storedSourceHighWater() throws -> [UInt8]? {
        try wrap {
            guard let family = try db.columnFamily(named: Self.offsetsFamily) else { return nil }
            return try db.get(Self.sourceHighWaterKey, in: family)
        }
    }

    func storedCheckpoint(topic: String, partition: Int32) throws -> Int64? {
        try wrap {
            guard let family = try db.columnFamily(named: Self.offsetsFamily),
                let value = try db.get(Self.offsetKey(topic: topic, partition: partition), in: family),
                value.count == 8
            else { return nil }
            return value.withUnsafeBytes { Int64(bigEndian: $0.loadUnaligned(as: Int64.self)) }
        }
    }
}
