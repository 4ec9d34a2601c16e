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
/// Methods without an `in:` parameter use the default column family; see ``ColumnFamily`` for the others.
///
/// All methods are safe to call from any thread. Every method throws a ``RocksDBError`` with code
/// ``RocksDBError/Code/databaseClosed`` after ``close()``.
public final class RocksDB {
    /// The directory of the database, as given to ``init(path:options:)``.
    public let path: String

    /// The options the database was opened with; ``createColumnFamily(named:)`` uses them too.
    let options: RocksDBOptions

    // `nil` once closed. Calls copy the handle out under the lock and work without holding it, so
    // concurrent reads never wait on each other, and a concurrent close only drops a reference.
    private let state: Mutex<DatabaseHandle?>

    /// Opens the database at `path`, creating it if ``RocksDBOptions/createIfMissing`` is set.
    ///
    /// Column families the database already has are opened too; see
    /// ``init(path:options:columnFamilies:)``.
    ///
    /// - Throws: ``RocksDBError`` when RocksDB cannot open the database, for example when another
    ///   ``RocksDB`` or process holds its `LOCK` file, when `path` is a regular file, or when options
    ///   are invalid.
    public convenience init(path: String, options: RocksDBOptions = RocksDBOptions()) throws {
        try self.init(path: path, options: options, columnFamilies: [])
    }

    /// Opens the database at `path` with the default column family and the column families named in
    /// `columnFamilies`, creating the database and those column families if
    /// ``RocksDBOptions/createIfMissing`` is set.
    ///
    /// Column families the database has but `columnFamilies` does not name are opened too, so
    /// opening never fails for lack of them; ``columnFamilyNames`` lists them all. Every column
    /// family uses `options`: ``RocksDBOptions/writeBufferSize`` and
    /// ``RocksDBOptions/maxWriteBufferNumber`` apply to each one.
    ///
    /// ```swift
    /// let db = try RocksDB(path: "/var/lib/app/store", columnFamilies: ["offsets"])
    /// let offsets = try db.columnFamily(named: "offsets")!
    /// ```
    ///
    /// - Throws: ``RocksDBError`` when RocksDB cannot open the database (see ``init(path:options:)``),
    ///   when a named column family is missing and ``RocksDBOptions/createIfMissing`` is not set, or
    ///   when a name contains a NUL byte.
    public init(path: String, options: RocksDBOptions = RocksDBOptions(), columnFamilies: [String]) throws {
        for name in columnFamilies where name.utf8.contains(0) {
            throw RocksDBError.invalidArgument("column family name contains a NUL byte")
        }
        let handle = try options.withCOptions { cOptions in
            try withCString(path, describedAs: "path") { cPath in
                try DatabaseHandle.open(path: cPath, options: cOptions, columnFamilies: columnFamilies)
            }
        }
        self.path = path
        self.options = options
        self.state = Mutex(handle)
    }

    deinit {
        self.close()
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
        // For ``ColumnFamily`` operations reaching the handle while an iterator keeps it alive.
        handle?.markClosed()
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
    /// them are visible or none is, across column families too (for writes made with
    /// ``WriteOptions/disableWAL``, see ``flush()``).
    ///
    /// The batch is left unchanged and may be reused or cleared.
    ///
    /// - Throws: ``RocksDBError`` if RocksDB rejects the write, or if the batch has operations on a
    ///   column family of another database or on one that was dropped; nothing is applied then.
    public func write(_ batch: WriteBatch, options: WriteOptions = WriteOptions()) throws {
        try self.handle().write(batch, options: options)
    }

    /// Writes the memtables of every column family to SST files and waits until that is done.
    ///
    /// After this returns, the data written so far survives a crash even if it was written with
    /// ``WriteOptions/disableWAL``.
    ///
    /// Column families are flushed one after another, the default one first, then the others in the
    /// order they were opened or created: the RocksDB 7.8 C API cannot flush several at once, even
    /// with ``RocksDBOptions/atomicFlush``. After a crash during `flush()`, writes made without the
    /// write-ahead log may therefore survive in the default column family but not in the others.
    /// When no write runs concurrently with `flush()`, a changelog offset kept in another column
    /// family is then older than the default family's data, never newer, and restoring from it
    /// replays a little more.
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
