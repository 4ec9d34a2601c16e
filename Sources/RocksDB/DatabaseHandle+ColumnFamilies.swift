internal import CRocksDB

extension DatabaseHandle {
    /// Opens the database at `path` with its default column family, the column families in
    /// `requested`, and every other column family it already has: RocksDB refuses to open a
    /// database without all of its column families.
    static func open(
        path: UnsafePointer<CChar>,
        options: OpaquePointer,
        columnFamilies requested: [String]
    ) throws -> DatabaseHandle {
        // NUL-terminated names, kept as bytes so that a name another program wrote in some other
        // encoding still opens.
        var names: [ContiguousArray<CChar>] = [ColumnFamily.defaultName.utf8CString]
        for name in requested.map(\.utf8CString) + Self.existingColumnFamilies(path: path, options: options)
        where !names.contains(name) {
            names.append(name)
        }
        let count = try cInt(names.count, "the number of column families", minimum: 1)

        let cNames = names.map { name in
            name.withUnsafeBufferPointer { name in
                let copy = UnsafeMutablePointer<CChar>.allocate(capacity: name.count)
                copy.initialize(from: name.baseAddress!, count: name.count)
                return copy
            }
        }
        defer {
            for name in cNames { name.deallocate() }
        }
        let namePointers = cNames.map { UnsafePointer<CChar>?($0) }
        // The same options for every column family; RocksDB copies them.
        let familyOptions = [OpaquePointer?](repeating: options, count: names.count)
        var handles = [OpaquePointer?](repeating: nil, count: names.count)
        let db = try withStatus { error in
            rocksdb_open_column_families(options, path, count, namePointers, familyOptions, &handles, error)
        }
        guard let db else {
            throw RocksDBError(code: .other, message: "rocksdb_open_column_families returned no database")
        }
        let pointers = handles.compactMap { $0 }
        guard pointers.count == names.count else {
            for pointer in pointers { rocksdb_column_family_handle_destroy(pointer) }
            rocksdb_close(db)
            throw RocksDBError(code: .other, message: "rocksdb_open_column_families returned no column family handle")
        }
        let families = zip(names, pointers).map { name, pointer in
            // Names that are not UTF-8 are repaired here, for display and lookup only.
            let bytes = name.dropLast().map { UInt8(bitPattern: $0) }
            return (name: String(decoding: bytes, as: UTF8.self), pointer: pointer)
        }
        return DatabaseHandle(db: db, columnFamilies: families)
    }

    /// The NUL-terminated names of the column families of the database at `path`, or none if
    /// RocksDB cannot list them, most likely because there is no database yet. If there is one that
    /// cannot be read, opening it reports why.
    private static func existingColumnFamilies(
        path: UnsafePointer<CChar>,
        options: OpaquePointer
    ) -> [ContiguousArray<CChar>] {
        var count = 0
        var error: UnsafeMutablePointer<CChar>? = nil
        let list = rocksdb_list_column_families(options, path, &count, &error)
        // RocksDB allocates the list even when listing fails, empty then.
        defer {
            if let list { rocksdb_list_column_families_destroy(list, count) }
        }
        if let error {
            rocksdb_free(error)
            return []
        }
        return UnsafeBufferPointer(start: list, count: count).compactMap { name in
            guard let name else { return nil }
            var length = 0
            while name[length] != 0 { length += 1 }
            return ContiguousArray(UnsafeBufferPointer(start: name, count: length + 1))
        }
    }

    func columnFamily(named name: String) -> ColumnFamily? {
        self.columnFamilies.withLock { families in families.first { $0.name == name } }
    }

    var columnFamilyNames: [String] {
        self.columnFamilies.withLock { families in families.map(\.name) }
    }

    func createColumnFamily(named name: String, options: OpaquePointer) throws -> ColumnFamily {
        try withCString(name, describedAs: "column family name") { cName in
            try self.columnFamilies.withLock { families throws(RocksDBError) in
                guard !families.contains(where: { $0.name == name }) else {
                    throw RocksDBError.invalidArgument("column family '\(name)' already exists")
                }
                let pointer = try withStatus { error in
                    rocksdb_create_column_family(self.db, options, cName, error)
                }
                guard let pointer else {
                    throw RocksDBError(
                        code: .other,
                        message: "rocksdb_create_column_family returned no handle for '\(name)'"
                    )
                }
                let family = ColumnFamily(name: name, pointer: pointer, database: self)
                families.append(family)
                return family
            }
        }
    }

    func dropColumnFamily(named name: String) throws {
        guard name != ColumnFamily.defaultName else {
            throw RocksDBError.invalidArgument("the default column family cannot be dropped")
        }
        try self.columnFamilies.withLock { families throws(RocksDBError) in
            guard let index = families.firstIndex(where: { $0.name == name }) else {
                throw RocksDBError(code: .notFound, message: "no column family named '\(name)'")
            }
            try families[index].drop(from: self.db)
            families.remove(at: index)
        }
    }
}
