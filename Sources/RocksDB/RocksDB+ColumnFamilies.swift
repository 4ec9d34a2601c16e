extension RocksDB {
    /// The column family named `name`, or `nil` if the database has none by that name.
    ///
    /// Every database has one named ``ColumnFamily/defaultName``, which the methods without an
    /// `in:` parameter use. Look a family up once and keep it: the lookup takes a lock.
    public func columnFamily(named name: String) throws -> ColumnFamily? {
        try self.handle().columnFamily(named: name)
    }

    /// The names of the open column families: ``ColumnFamily/defaultName`` first, then the others in
    /// the order they were opened or created.
    public var columnFamilyNames: [String] {
        get throws {
            try self.handle().columnFamilyNames
        }
    }

    /// Creates a column family with the options the database was opened with.
    ///
    /// - Throws: ``RocksDBError`` with code ``RocksDBError/Code/invalidArgument`` if the column family
    ///   already exists or `name` contains a NUL byte, or as RocksDB reports.
    @discardableResult
    public func createColumnFamily(named name: String) throws -> ColumnFamily {
        let handle = try self.handle()
        return try self.options.withCOptions { options in
            try handle.createColumnFamily(named: name, options: options)
        }
    }

    /// Drops the column family named `name` and its data.
    ///
    /// Waits for the operations using the family on other threads to finish; later operations with
    /// its ``ColumnFamily``, including writing a ``WriteBatch`` that names it, throw
    /// ``RocksDBError/Code/notFound``. Iterators made before keep reading it. RocksDB deletes the
    /// files once those iterators are gone.
    ///
    /// - Throws: ``RocksDBError`` with code ``RocksDBError/Code/notFound`` if there is no such column
    ///   family, ``RocksDBError/Code/invalidArgument`` for the default one, or as RocksDB reports.
    public func dropColumnFamily(named name: String) throws {
        try self.handle().dropColumnFamily(named: name)
    }

    // MARK: Reads

    /// Returns a copy of the value stored for `key` in `family`, or `nil` if there is none.
    public func get(_ key: [UInt8], in family: ColumnFamily) throws -> [UInt8]? {
        try key.withUnsafeBytes { key in try self.get(key, in: family) }
    }

    /// Returns a copy of the value stored for `key` in `family`, or `nil` if there is none.
    public func get(_ key: UnsafeRawBufferPointer, in family: ColumnFamily) throws -> [UInt8]? {
        try self.handle().withPinnedValue(forKey: key, in: family) { value in value.map { [UInt8]($0) } }
    }

    /// Calls `body` with the value stored for `key` in `family`, without copying it, or with `nil`
    /// if there is none.
    ///
    /// The buffer points into RocksDB's memtable or block cache and is valid only inside `body`.
    public func withValue<Result>(
        forKey key: UnsafeRawBufferPointer,
        in family: ColumnFamily,
        _ body: (UnsafeRawBufferPointer?) throws -> Result
    ) throws -> Result {
        try self.handle().withPinnedValue(forKey: key, in: family, body)
    }

    /// Calls `body` with the value stored for `key` in `family`, without copying it, or with `nil`
    /// if there is none.
    ///
    /// The buffer points into RocksDB's memtable or block cache and is valid only inside `body`.
    public func withValue<Result>(
        forKey key: [UInt8],
        in family: ColumnFamily,
        _ body: (UnsafeRawBufferPointer?) throws -> Result
    ) throws -> Result {
        try key.withUnsafeBytes { key in try self.handle().withPinnedValue(forKey: key, in: family, body) }
    }

    // MARK: Writes

    /// Stores `value` for `key` in `family`, replacing any previous value.
    public func put(
        _ key: [UInt8],
        _ value: [UInt8],
        in family: ColumnFamily,
        options: WriteOptions = WriteOptions()
    ) throws {
        try key.withUnsafeBytes { key in
            try value.withUnsafeBytes { value in
                try self.handle().put(key, value, in: family, options: options)
            }
        }
    }

    /// Stores `value` for `key` in `family`, replacing any previous value.
    public func put(
        _ key: UnsafeRawBufferPointer,
        _ value: UnsafeRawBufferPointer,
        in family: ColumnFamily,
        options: WriteOptions = WriteOptions()
    ) throws {
        try self.handle().put(key, value, in: family, options: options)
    }

    /// Removes the value for `key` in `family`, if any.
    public func delete(_ key: [UInt8], in family: ColumnFamily, options: WriteOptions = WriteOptions()) throws {
        try key.withUnsafeBytes { key in try self.handle().delete(key, in: family, options: options) }
    }

    /// Removes the value for `key` in `family`, if any.
    public func delete(
        _ key: UnsafeRawBufferPointer,
        in family: ColumnFamily,
        options: WriteOptions = WriteOptions()
    ) throws {
        try self.handle().delete(key, in: family, options: options)
    }

    /// Removes every key in `[start, end)` in `family` with a single range tombstone.
    ///
    /// Does nothing if `end` sorts before `start`: the range is empty.
    public func deleteRange(
        from start: [UInt8],
        to end: [UInt8],
        in family: ColumnFamily,
        options: WriteOptions = WriteOptions()
    ) throws {
        let batch = WriteBatch()
        try batch.deleteRange(from: start, to: end, in: family)
        try self.write(batch, options: options)
    }
}
