internal import CRocksDB

/// A list of writes that ``RocksDB/write(_:options:)`` applies atomically.
///
/// Operations apply in the order they were added. A batch can be reused after ``clear()``.
///
/// Operations without an `in:` parameter write the default column family; a batch of only those is
/// independent of any database and can be written to several. Operations on a ``ColumnFamily``
/// tie the batch to that column family's database: writing it elsewhere throws and applies nothing.
///
/// A batch is a single-thread object: it is not `Sendable`.
public final class WriteBatch {
    let pointer: OpaquePointer
    /// The column families that operations were added for, checked when the batch is written.
    private(set) var columnFamilies: [ColumnFamily] = []

    /// Creates an empty batch.
    public init() {
        self.pointer = rocksdb_writebatch_create()!
    }

    deinit {
        rocksdb_writebatch_destroy(self.pointer)
    }

    /// The number of operations in the batch.
    public var count: Int {
        Int(rocksdb_writebatch_count(self.pointer))
    }

    /// Whether the batch has no operations.
    public var isEmpty: Bool {
        self.count == 0
    }

    /// Removes all operations.
    public func clear() {
        rocksdb_writebatch_clear(self.pointer)
        self.columnFamilies.removeAll()
    }

    /// Records that an operation was added for `family`.
    func noteOperation(in family: ColumnFamily) {
        // A batch names few families, usually the same one again and again.
        if self.columnFamilies.last !== family, !self.columnFamilies.contains(where: { $0 === family }) {
            self.columnFamilies.append(family)
        }
    }

    /// Adds storing `value` for `key`. The bytes are copied.
    public func put(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) {
        rocksdb_writebatch_put(self.pointer, key.cBytes, key.count, value.cBytes, value.count)
    }

    /// Adds storing `value` for `key`. The bytes are copied.
    public func put(_ key: [UInt8], _ value: [UInt8]) {
        key.withUnsafeBytes { key in
            value.withUnsafeBytes { value in self.put(key, value) }
        }
    }

    /// Adds removing `key`.
    public func delete(_ key: UnsafeRawBufferPointer) {
        rocksdb_writebatch_delete(self.pointer, key.cBytes, key.count)
    }

    /// Adds removing `key`.
    public func delete(_ key: [UInt8]) {
        key.withUnsafeBytes { key in self.delete(key) }
    }

    /// Adds removing every key in `[start, end)`.
    ///
    /// Does nothing if `end` sorts before `start`: the range is empty.
    public func deleteRange(from start: UnsafeRawBufferPointer, to end: UnsafeRawBufferPointer) {
        // RocksDB 7.8 rejects an inverted range only while inserting into the memtable, after the
        // batch's earlier operations were applied, which would break the batch's atomicity.
        guard !end.lexicographicallyPrecedes(start) else { return }
        rocksdb_writebatch_delete_range(self.pointer, start.cBytes, start.count, end.cBytes, end.count)
    }

    /// Adds removing every key in `[start, end)`.
    ///
    /// Does nothing if `end` sorts before `start`: the range is empty.
    public func deleteRange(from start: [UInt8], to end: [UInt8]) {
        start.withUnsafeBytes { start in
            end.withUnsafeBytes { end in self.deleteRange(from: start, to: end) }
        }
    }
}

@available(*, unavailable, message: "A WriteBatch is a single-thread object")
extension WriteBatch: Sendable {}
