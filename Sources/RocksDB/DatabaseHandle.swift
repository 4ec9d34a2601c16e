internal import CRocksDB
import Synchronization

/// Owns an open `rocksdb_t`, the handles of its column families and the option objects every call
/// reuses; closes the database when the last reference goes.
///
/// ``RocksDB`` holds one reference until ``RocksDB/close()``; each in-flight call and each live
/// ``RocksDBIterator`` holds another, so closing never pulls the database out from under them.
/// Operations are methods so that `self`, and with it the C handle, stays alive for the whole call.
/// ``ColumnFamily`` objects refer to it weakly, so they do not keep the database open.
final class DatabaseHandle {
    let db: OpaquePointer
    let readOptions: OpaquePointer
    /// The open column families, the default one first, then in the order they were opened or created.
    let columnFamilies: Mutex<[ColumnFamily]>
    /// Set by ``RocksDB/close()``, for operations that reach the handle through a ``ColumnFamily``
    /// while an iterator keeps it alive.
    private let closed = Atomic<Bool>(false)
    // One C object per `WriteOptions` combination, made once: creating them per write would
    // allocate on the hot path.
    private let writeOptionsDefault: OpaquePointer
    private let writeOptionsSync: OpaquePointer
    private let writeOptionsNoWAL: OpaquePointer
    private let writeOptionsSyncNoWAL: OpaquePointer

    /// Takes ownership of `db` and of the column family handles that opening it returned.
    init(db: OpaquePointer, columnFamilies: [(name: String, pointer: OpaquePointer)]) {
        self.db = db
        self.readOptions = rocksdb_readoptions_create()!
        self.columnFamilies = Mutex([])
        func makeWriteOptions(sync: Bool, disableWAL: Bool) -> OpaquePointer {
            let options = rocksdb_writeoptions_create()!
            rocksdb_writeoptions_set_sync(options, sync.cBool)
            rocksdb_writeoptions_disable_WAL(options, disableWAL ? 1 : 0)
            return options
        }
        self.writeOptionsDefault = makeWriteOptions(sync: false, disableWAL: false)
        self.writeOptionsSync = makeWriteOptions(sync: true, disableWAL: false)
        self.writeOptionsNoWAL = makeWriteOptions(sync: false, disableWAL: true)
        self.writeOptionsSyncNoWAL = makeWriteOptions(sync: true, disableWAL: true)
        let families = columnFamilies.map { ColumnFamily(name: $0.name, pointer: $0.pointer, database: self) }
        self.columnFamilies.withLock { $0 = families }
    }

    deinit {
        // RocksDB requires the column family handles to be destroyed before the database is closed.
        // No operation can be using them: each holds a reference to `self`.
        for family in self.columnFamilies.withLock({ $0 }) {
            family.destroyPointer()
        }
        rocksdb_close(self.db)
        rocksdb_readoptions_destroy(self.readOptions)
        rocksdb_writeoptions_destroy(self.writeOptionsDefault)
        rocksdb_writeoptions_destroy(self.writeOptionsSync)
        rocksdb_writeoptions_destroy(self.writeOptionsNoWAL)
        rocksdb_writeoptions_destroy(self.writeOptionsSyncNoWAL)
    }

    var isClosed: Bool {
        self.closed.load(ordering: .relaxed)
    }

    func markClosed() {
        self.closed.store(true, ordering: .relaxed)
    }

    @inline(__always)
    private func cWriteOptions(_ options: WriteOptions) -> OpaquePointer {
        switch (options.sync, options.disableWAL) {
        case (false, false): self.writeOptionsDefault
        case (true, false): self.writeOptionsSync
        case (false, true): self.writeOptionsNoWAL
        case (true, true): self.writeOptionsSyncNoWAL
        }
    }

    func withPinnedValue<Result>(
        forKey key: UnsafeRawBufferPointer,
        in family: ColumnFamily? = nil,
        _ body: (UnsafeRawBufferPointer?) throws -> Result
    ) throws -> Result {
        // The pinned value does not need the column family handle, so `body` runs outside its use.
        let slice =
            if let family {
                try family.withPointer(in: self) { family in
                    try withStatus { error in
                        rocksdb_get_pinned_cf(self.db, self.readOptions, family, key.cBytes, key.count, error)
                    }
                }
            } else {
                try withStatus { error in
                    rocksdb_get_pinned(self.db, self.readOptions, key.cBytes, key.count, error)
                }
            }
        guard let slice else {
            return try body(nil)
        }
        defer { rocksdb_pinnableslice_destroy(slice) }
        var length = 0
        let value = rocksdb_pinnableslice_value(slice, &length)
        return try body(UnsafeRawBufferPointer(start: value, count: length))
    }

    func put(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, options: WriteOptions) throws {
        try withStatus { error in
            rocksdb_put(
                self.db,
                self.cWriteOptions(options),
                key.cBytes,
                key.count,
                value.cBytes,
                value.count,
                error
            )
        }
    }

    func put(
        _ key: UnsafeRawBufferPointer,
        _ value: UnsafeRawBufferPointer,
        in family: ColumnFamily,
        options: WriteOptions
    ) throws {
        try family.withPointer(in: self) { family in
            try withStatus { error in
                rocksdb_put_cf(
                    self.db,
                    self.cWriteOptions(options),
                    family,
                    key.cBytes,
                    key.count,
                    value.cBytes,
                    value.count,
                    error
                )
            }
        }
    }

    func delete(_ key: UnsafeRawBufferPointer, options: WriteOptions) throws {
        try withStatus { error in
            rocksdb_delete(self.db, self.cWriteOptions(options), key.cBytes, key.count, error)
        }
    }

    func delete(_ key: UnsafeRawBufferPointer, in family: ColumnFamily, options: WriteOptions) throws {
        try family.withPointer(in: self) { family in
            try withStatus { error in
                rocksdb_delete_cf(self.db, self.cWriteOptions(options), family, key.cBytes, key.count, error)
            }
        }
    }

    func write(_ batch: WriteBatch, options: WriteOptions) throws {
        // The column families the batch names must belong to this database and stay undropped for
        // the whole write: RocksDB would apply the operations before a missing family, then fail.
        let families = batch.columnFamilies
        var inUse = 0
        defer {
            for family in families[..<inUse] {
                family.endUse()
            }
        }
        for family in families {
            try family.beginUse(in: self)
            inUse += 1
        }
        try withStatus { error in
            rocksdb_write(self.db, self.cWriteOptions(options), batch.pointer, error)
        }
    }

    /// Flushes every column family, one after another, the default one first.
    func flush() throws {
        let options = rocksdb_flushoptions_create()!
        defer { rocksdb_flushoptions_destroy(options) }
        rocksdb_flushoptions_set_wait(options, 1)
        for family in self.columnFamilies.withLock({ $0 }) {
            // A family dropped meanwhile has nothing left to flush.
            try family.withPointerIfPresent { family in
                try withStatus { error in
                    rocksdb_flush_cf(self.db, options, family, error)
                }
            }
        }
    }

    func createCheckpoint(at path: UnsafePointer<CChar>) throws {
        let checkpoint = try withStatus { error in
            rocksdb_checkpoint_object_create(self.db, error)
        }
        guard let checkpoint else {
            throw RocksDBError(code: .other, message: "could not create a checkpoint object")
        }
        defer { rocksdb_checkpoint_object_destroy(checkpoint) }
        // A log size of 0 flushes the memtables first, so writes made without the WAL are included.
        try withStatus { error in
            rocksdb_checkpoint_create(checkpoint, path, 0, error)
        }
    }

    func property(_ name: UnsafePointer<CChar>) -> String? {
        guard let value = rocksdb_property_value(self.db, name) else {
            return nil
        }
        defer { rocksdb_free(value) }
        return String(cString: value)
    }

    func integerProperty(_ name: UnsafePointer<CChar>) -> UInt64? {
        var value: UInt64 = 0
        return rocksdb_property_int(self.db, name, &value) == 0 ? value : nil
    }
}

// Thread rules: `rocksdb_t` is thread-safe for reads, writes, flushes, checkpoints, property
// queries and creating or dropping column families, and the option objects are never mutated after
// `init`, so every method may be called concurrently. The list of column families is guarded by its
// `Mutex`, and `closed` is atomic. The handle is released, and the database closed, on whichever
// thread drops the last reference.
extension DatabaseHandle: @unchecked Sendable {}
