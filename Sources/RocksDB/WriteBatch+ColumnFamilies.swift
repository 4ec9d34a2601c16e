internal import CRocksDB

extension WriteBatch {
    /// Adds storing `value` for `key` in `family`. The bytes are copied.
    ///
    /// - Throws: ``RocksDBError`` if the family's database is closed or the family was dropped.
    public func put(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, in family: ColumnFamily) throws {
        try family.withPointer { family in
            rocksdb_writebatch_put_cf(self.pointer, family, key.cBytes, key.count, value.cBytes, value.count)
        }
        self.noteOperation(in: family)
    }

    /// Adds storing `value` for `key` in `family`. The bytes are copied.
    ///
    /// - Throws: ``RocksDBError`` if the family's database is closed or the family was dropped.
    public func put(_ key: [UInt8], _ value: [UInt8], in family: ColumnFamily) throws {
        try key.withUnsafeBytes { key in
            try value.withUnsafeBytes { value in try self.put(key, value, in: family) }
        }
    }

    /// Adds removing `key` from `family`.
    ///
    /// - Throws: ``RocksDBError`` if the family's database is closed or the family was dropped.
    public func delete(_ key: UnsafeRawBufferPointer, in family: ColumnFamily) throws {
        try family.withPointer { family in
            rocksdb_writebatch_delete_cf(self.pointer, family, key.cBytes, key.count)
        }
        self.noteOperation(in: family)
    }

    /// Adds removing `key` from `family`.
    ///
    /// - Throws: ``RocksDBError`` if the family's database is closed or the family was dropped.
    public func delete(_ key: [UInt8], in family: ColumnFamily) throws {
        try key.withUnsafeBytes { key in try self.delete(key, in: family) }
    }

    /// Adds removing every key in `[start, end)` from `family`.
    ///
    /// Does nothing if `end` sorts before `start`: the range is empty.
    ///
    /// - Throws: ``RocksDBError`` if the family's database is closed or the family was dropped.
    public func deleteRange(
        from start: UnsafeRawBufferPointer,
        to end: UnsafeRawBufferPointer,
        in family: ColumnFamily
    ) throws {
        let added = try family.withPointer { family in
            // As in `deleteRange(from:to:)`: RocksDB would fail on an inverted range mid-batch.
            guard !end.lexicographicallyPrecedes(start) else { return false }
            rocksdb_writebatch_delete_range_cf(self.pointer, family, start.cBytes, start.count, end.cBytes, end.count)
            return true
        }
        if added {
            self.noteOperation(in: family)
        }
    }

    /// Adds removing every key in `[start, end)` from `family`.
    ///
    /// Does nothing if `end` sorts before `start`: the range is empty.
    ///
    /// - Throws: ``RocksDBError`` if the family's database is closed or the family was dropped.
    public func deleteRange(from start: [UInt8], to end: [UInt8], in family: ColumnFamily) throws {
        try start.withUnsafeBytes { start in
            try end.withUnsafeBytes { end in try self.deleteRange(from: start, to: end, in: family) }
        }
    }
}
