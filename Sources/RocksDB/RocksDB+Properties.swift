extension RocksDB {
    /// Returns the value of a RocksDB property, such as `rocksdb.stats` or
    /// `rocksdb.estimate-num-keys`, or `nil` if RocksDB does not know the property.
    public func property(_ name: String) throws -> String? {
        let handle = try self.handle()
        return try withCString(name, describedAs: "property name") { name in handle.property(name) }
    }

    /// Returns the value of a numeric RocksDB property, such as `rocksdb.estimate-num-keys` or
    /// `rocksdb.cur-size-all-mem-tables`, or `nil` if RocksDB does not know it or it is not numeric.
    public func integerProperty(_ name: String) throws -> UInt64? {
        let handle = try self.handle()
        return try withCString(name, describedAs: "property name") { name in handle.integerProperty(name) }
    }

    /// RocksDB's estimate of the number of keys (`rocksdb.estimate-num-keys`).
    ///
    /// Cheap, but only an estimate: overwrites and deletions are counted until compaction merges them.
    public var approximateNumEntries: UInt64 {
        get throws {
            try self.integerProperty("rocksdb.estimate-num-keys") ?? 0
        }
    }
}
