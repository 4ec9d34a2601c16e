internal import CRocksDB

/// Owns an open `rocksdb_t` and the option objects every call reuses; closes the database when the
/// last reference goes.
///
/// ``RocksDB`` holds one reference until ``RocksDB/close()``; each in-flight call and each live
/// ``RocksDBIterator`` holds another, so closing never pulls the database out from under them.
/// Operations are methods so that `self`, and with it the C handle, stays alive for the whole call.
final class DatabaseHandle {
    let db: OpaquePointer
    let readOptions: OpaquePointer
    // One C object per `WriteOptions` combination, made once: creating them per write would
    // allocate on the hot path.
    private let writeOptionsDefault: OpaquePointer
    private let writeOptionsSync: OpaquePointer
    private let writeOptionsNoWAL: OpaquePointer
    private let writeOptionsSyncNoWAL: OpaquePointer

    init(db: OpaquePointer) {
        self.db = db
        self.readOptions = rocksdb_readoptions_create()!
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
    }

    deinit {
        rocksdb_close(self.db)
        rocksdb_readoptions_destroy(self.readOptions)
        rocksdb_writeoptions_destroy(self.writeOptionsDefault)
        rocksdb_writeoptions_destroy(self.writeOptionsSync)
        rocksdb_writeoptions_destroy(self.writeOptionsNoWAL)
        rocksdb_writeoptions_destroy(self.writeOptionsSyncNoWAL)
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
        _ body: (UnsafeRawBufferPointer?) throws -> Result
    ) throws -> Result {
        let slice = try withStatus { error in
            rocksdb_get_pinned(self.db, self.readOptions, key.cBytes, key.count, error)
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

    func delete(_ key: UnsafeRawBufferPointer, options: WriteOptions) throws {
        try withStatus { error in
            rocksdb_delete(self.db, self.cWriteOptions(options), key.cBytes, key.count, error)
        }
    }

    func write(_ batch: WriteBatch, options: WriteOptions) throws {
        try withStatus { error in
            rocksdb_write(self.db, self.cWriteOptions(options), batch.pointer, error)
        }
    }

    func flush() throws {
        let options = rocksdb_flushoptions_create()!
        defer { rocksdb_flushoptions_destroy(options) }
        rocksdb_flushoptions_set_wait(options, 1)
        try withStatus { error in
            rocksdb_flush(self.db, options, error)
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

// Thread rules: `rocksdb_t` is thread-safe for reads, writes, flushes, checkpoints and property
// queries, and the option objects are never mutated after `init`, so every method may be called
// concurrently. The handle is released, and the database closed, on whichever thread drops the last
// reference.
extension DatabaseHandle: @unchecked Sendable {}
