internal import CRocksDB
import Synchronization

/// An open RocksDB database: a persistent, sorted map from byte strings to byte strings.
///
/// Keys are ordered by RocksDB's default bytewise comparator: unsigned lexicographic byte order,
/// shorter keys first when one is a prefix of the other.
///
/// ```swift
/// let db = try RocksDB(path: "/var/lib/app/store")
/// try db.put([1, 2], [42])
/// let value = try db.get([1, 2])  // [42]
/// ```
///
/// All methods are safe to call from any thread. Every method throws a ``RocksDBError`` with code
/// ``RocksDBError/Code/databaseClosed`` after ``close()``.
public final class RocksDB {
    /// The directory of the database, as given to ``init(path:options:)``.
    public let path: String

    // `nil` once closed. Calls copy the handle out under the lock and work without holding it, so
    // concurrent reads never wait on each other, and a concurrent close only drops a reference.
    private let state: Mutex<DatabaseHandle?>

    /// Opens the database at `path`, creating it if ``RocksDBOptions/createIfMissing`` is set.
    ///
    /// - Throws: ``RocksDBError`` when RocksDB cannot open the database, for example when another
    ///   ``RocksDB`` or process holds its `LOCK` file, when `path` is a regular file, or when options
    ///   are invalid.
    public init(path: String, options: RocksDBOptions = RocksDBOptions()) throws {
        let db = try options.withCOptions { options in
            try withCString(path, describedAs: "path") { path in
                try withStatus { error in rocksdb_open(options, path, error) }
            }
        }
        guard let db else {
            throw RocksDBError(code: .other, message: "rocksdb_open returned no database for \(path)")
        }
        self.path = path
        self.state = Mutex(DatabaseHandle(db: db))
    }

    /// Closes the database. Calling it again does nothing; deinitializing the ``RocksDB`` closes it too.
    ///
    /// Calls already running on other threads complete normally. RocksDB itself, with its `LOCK`
    /// file, is closed once those calls have returned and every ``RocksDBIterator`` made from this
    /// database has been deinitialized; release iterators first to reopen the path right away.
    public func close() {
        let handle = self.state.withLock { handle in
            let current = handle
            handle = nil
            return current
        }
        // Dropped outside the lock: this may run `rocksdb_close`, which waits for background work.
        _ = handle
    }

    /// Whether ``close()`` has been called.
    public var isClosed: Bool {
        self.state.withLock { $0 == nil }
    }

    /// The open handle, retained for the duration of one call.
    @inline(__always)
    func handle() throws -> DatabaseHandle {
        guard let handle = self.state.withLock({ $0 }) else {
            throw RocksDBError.databaseClosed
        }
        return handle
    }

    // MARK: Reads

    /// Returns a copy of the value stored for `key`, or `nil` if there is none.
    public func get(_ key: [UInt8]) throws -> [UInt8]? {
        try key.withUnsafeBytes { key in try self.get(key) }
    }

    /// Returns a copy of the value stored for `key`, or `nil` if there is none.
    public func get(_ key: UnsafeRawBufferPointer) throws -> [UInt8]? {
        try self.handle().withPinnedValue(forKey: key) { value in value.map { [UInt8]($0) } }
    }

    /// Calls `body` with the value stored for `key`, without copying it, or with `nil` if there is none.
    ///
    /// The buffer points into RocksDB's memtable or block cache and is valid only inside `body`.
    public func withValue<Result>(
        forKey key: UnsafeRawBufferPointer,
        _ body: (UnsafeRawBufferPointer?) throws -> Result
    ) throws -> Result {
        try self.handle().withPinnedValue(forKey: key, body)
    }

    /// Calls `body` with the value stored for `key`, without copying it, or with `nil` if there is none.
    ///
    /// The buffer points into RocksDB's memtable or block cache and is valid only inside `body`.
    public func withValue<Result>(
        forKey key: [UInt8],
        _ body: (UnsafeRawBufferPointer?) throws -> Result
    ) throws -> Result {
        try key.withUnsafeBytes { key in try self.handle().withPinnedValue(forKey: key, body) }
    }

    // MARK: Writes

    /// Stores `value` for `key`, replacing any previous value.
    public func put(_ key: [UInt8], _ value: [UInt8], options: WriteOptions = WriteOptions()) throws {
        try key.withUnsafeBytes { key in
            try value.withUnsafeBytes { value in
                try self.handle().put(key, value, options: options)
            }
        }
    }

    /// Stores `value` for `key`, replacing any previous value.
    public func put(
        _ key: UnsafeRawBufferPointer,
        _ value: UnsafeRawBufferPointer,
        options: WriteOptions = WriteOptions()
    ) throws {
        try self.handle().put(key, value, options: options)
    }

    /// Removes the value for `key`, if any.
    public func delete(_ key: [UInt8], options: WriteOptions = WriteOptions()) throws {
        try key.withUnsafeBytes { key in try self.handle().delete(key, options: options) }
    }

    /// Removes the value for `key`, if any.
    public func delete(_ key: UnsafeRawBufferPointer, options: WriteOptions = WriteOptions()) throws {
        try self.handle().delete(key, options: options)
    }

    /// Removes every key in `[start, end)` with a single range tombstone.
    ///
    /// Does nothing if `end` sorts before `start`: the range is empty.
    public func deleteRange(from start: [UInt8], to end: [UInt8], options: WriteOptions = WriteOptions()) throws {
        // The 7.8 C API has no default-column-family `rocksdb_delete_range`; a batch of one is the same write.
        let batch = WriteBatch()
        batch.deleteRange(from: start, to: end)
        try self.write(batch, options: options)
    }

    /// Applies every operation of `batch` atomically: after a crash or a failed write, either all of
    /// them are visible or none is.
    ///
    /// The batch is left unchanged and may be reused or cleared.
    public func write(_ batch: WriteBatch, options: WriteOptions = WriteOptions()) throws {
        try self.handle().write(batch, options: options)
    }

    /// Writes the memtables to SST files and waits until that is done.
    ///
    /// After this returns, the data written so far survives a crash even if it was written with
    /// ``WriteOptions/disableWAL``.
    public func flush() throws {
        try self.handle().flush()
    }
}

// Thread rules: all state lives in the `Mutex` and the thread-safe `DatabaseHandle`; see there.
extension RocksDB: @unchecked Sendable {}

extension RocksDB {
    /// Deletes the database at `path` and its files. The database must not be open.
    ///
    /// Succeeds if there is nothing to delete.
    public static func destroy(path: String, options: RocksDBOptions = RocksDBOptions()) throws {
        try options.withCOptions { options in
            try withCString(path, describedAs: "path") { path in
                try withStatus { error in rocksdb_destroy_db(options, path, error) }
            }
        }
    }
}
