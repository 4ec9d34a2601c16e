extension RocksDB {
    /// Creates a consistent, openable copy of the database in the new directory `path`.
    ///
    /// The memtables are flushed first, so the copy includes writes made without the write-ahead log.
    /// SST files are hard-linked when `path` is on the same file system, which makes this cheap.
    ///
    /// - Throws: ``RocksDBError`` if `path` already exists or cannot be created.
    public func createCheckpoint(at path: String) throws {
        let handle = try self.handle()
        try withCString(path, describedAs: "checkpoint path") { path in
            try handle.createCheckpoint(at: path)
        }
    }
}
