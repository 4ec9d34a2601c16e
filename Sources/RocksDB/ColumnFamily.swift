internal import CRocksDB
import Synchronization

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A column family of a ``RocksDB``: a separate keyspace in the same database, with its own
/// memtables and SST files, sharing the write-ahead log.
///
/// The same key can hold different values in different column families. A ``WriteBatch`` can write
/// several of them at once and still applies atomically, which lets a store keep metadata, such as
/// a changelog offset, next to its data and update both together.
///
/// ```swift
/// let db = try RocksDB(path: "/var/lib/app/store", columnFamilies: ["offsets"])
/// let offsets = try db.columnFamily(named: "offsets")!
/// let batch = WriteBatch()
/// batch.put(key, value)                          // the default column family
/// try batch.put([0], offset, in: offsets)
/// try db.write(batch)
/// ```
///
/// Get one from ``RocksDB/columnFamily(named:)`` or ``RocksDB/createColumnFamily(named:)``. It
/// belongs to that ``RocksDB`` instance: using it with another one, even one opened later on the same
/// path, throws ``RocksDBError/Code/invalidArgument``. It does not keep the database open: after
/// ``RocksDB/close()`` every operation with it throws ``RocksDBError/Code/databaseClosed``, and after
/// ``RocksDB/dropColumnFamily(named:)`` ``RocksDBError/Code/notFound``.
public final class ColumnFamily {
    /// The name of the column family every database has, which the methods without an `in:`
    /// parameter read and write.
    public static let defaultName = "default"

    /// The name of the column family.
    public let name: String

    // Owned by the `DatabaseHandle`, which destroys it when the family is dropped or the database
    // closed; `UseCount` keeps it from being used after that.
    private let pointer: OpaquePointer
    // Assigned once, in `init`. Weak so that a family kept by a store does not keep the database open.
    private weak var database: DatabaseHandle?
    private let uses = UseCount()

    init(name: String, pointer: OpaquePointer, database: DatabaseHandle) {
        self.name = name
        self.pointer = pointer
        self.database = database
    }

    /// Whether this family was opened or created by `handle`.
    func belongs(to handle: DatabaseHandle) -> Bool {
        self.database === handle
    }

    /// Calls `body` with the C handle, for a caller that holds `handle`, the database's handle.
    ///
    /// - Throws: ``RocksDBError`` if the family belongs to another database or was dropped.
    func withPointer<Result>(
        in handle: DatabaseHandle,
        _ body: (OpaquePointer) throws -> Result
    ) throws -> Result {
        try self.beginUse(in: handle)
        defer { self.endUse() }
        return try body(self.pointer)
    }

    /// Calls `body` with the C handle, keeping the database open meanwhile.
    ///
    /// - Throws: ``RocksDBError`` if the database was closed or the family dropped.
    func withPointer<Result>(_ body: (OpaquePointer) throws -> Result) throws -> Result {
        guard let handle = self.database, !handle.isClosed else {
            throw RocksDBError.databaseClosed
        }
        return try withExtendedLifetime(handle) {
            try self.withPointer(in: handle, body)
        }
    }

    /// Marks the start of a use of the C handle; `handle` must be retained until ``endUse()``.
    func beginUse(in handle: DatabaseHandle) throws {
        guard self.belongs(to: handle) else {
            throw RocksDBError.invalidArgument("column family '\(self.name)' belongs to another database")
        }
        guard self.uses.begin() else {
            throw RocksDBError(code: .notFound, message: "column family '\(self.name)' was dropped")
        }
    }

    /// Calls `body` with the C handle of one of the database's own families, or returns `nil`
    /// without calling it if the family was dropped meanwhile.
    func withPointerIfPresent<Result>(_ body: (OpaquePointer) throws -> Result) rethrows -> Result? {
        guard self.uses.begin() else { return nil }
        defer { self.endUse() }
        return try body(self.pointer)
    }

    func endUse() {
        self.uses.end()
    }

    /// Drops the column family from `db`, the database that owns it, and destroys the C handle,
    /// after waiting for the uses in progress; later uses are refused. Only the `DatabaseHandle`
    /// calls it, with itself retained.
    func drop(from db: OpaquePointer) throws(RocksDBError) {
        self.uses.retire()
        do {
            try withStatus { error in rocksdb_drop_column_family(db, self.pointer, error) }
        } catch {
            self.uses.unretire()
            throw error
        }
        self.destroyPointer()
    }

    /// Destroys the C handle. Only the `DatabaseHandle` calls it, from ``drop(from:)`` or when no
    /// operation can run any more (the database is being closed).
    func destroyPointer() {
        rocksdb_column_family_handle_destroy(self.pointer)
    }
}

// Thread rules: `name` and `pointer` never change; `database` is assigned once, in `init`, and weak
// references are read atomically by the runtime. RocksDB's column family handles are safe to use
// from several threads at once. Uses of the C handle are counted atomically, so dropping the family
// waits for them before destroying it (see `UseCount`).
extension ColumnFamily: @unchecked Sendable {}

/// Counts the operations using a column family's C handle, so that it is never dropped or destroyed
/// during one: a ``WriteBatch`` naming a dropped family must be refused as a whole before RocksDB
/// sees it, because RocksDB 7.8 would apply the batch's operations up to that family and then fail.
private struct UseCount: ~Copyable {
    // The number of uses in progress, plus `retired` once the family is being dropped.
    private let state = Atomic<Int>(0)
    private static let retired = 1 << 62

    /// Starts a use; returns `false`, starting nothing, if the family is retired.
    func begin() -> Bool {
        let previous = self.state.wrappingAdd(1, ordering: .acquiring).oldValue
        guard previous & Self.retired == 0 else {
            self.state.wrappingSubtract(1, ordering: .releasing)
            return false
        }
        return true
    }

    func end() {
        self.state.wrappingSubtract(1, ordering: .releasing)
    }

    /// Refuses new uses, then waits until the uses in progress have ended. Uses hold the count only
    /// for the duration of one RocksDB call, never while running caller code, so the wait is short
    /// unless RocksDB stalls writes.
    func retire() {
        self.state.bitwiseOr(Self.retired, ordering: .acquiringAndReleasing)
        while self.state.load(ordering: .acquiring) & ~Self.retired != 0 {
            usleep(100)
        }
    }

    func unretire() {
        self.state.bitwiseAnd(~Self.retired, ordering: .acquiringAndReleasing)
    }
}
