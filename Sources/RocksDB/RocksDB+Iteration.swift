extension RocksDB {
    /// Makes an iterator over the keys in `[lowerBound, upperBound)`; a `nil` bound leaves that side open.
    ///
    /// The bounds are enforced by RocksDB, which stops at them without reading further, so they make
    /// range scans cheaper than checking keys by hand. The iterator reads a snapshot taken now.
    public func makeIterator(lowerBound: [UInt8]? = nil, upperBound: [UInt8]? = nil) throws -> RocksDBIterator {
        RocksDBIterator(handle: try self.handle(), lowerBound: lowerBound, upperBound: upperBound)
    }

    /// Makes an iterator over the keys that start with `prefix`.
    public func makeIterator(prefix: [UInt8]) throws -> RocksDBIterator {
        try self.makeIterator(lowerBound: prefix, upperBound: Self.upperBound(forPrefix: prefix))
    }

    /// Makes an iterator over the keys of `family` in `[lowerBound, upperBound)`; a `nil` bound
    /// leaves that side open.
    ///
    /// It sees only that column family's keys, and reads a snapshot taken now.
    public func makeIterator(
        in family: ColumnFamily,
        lowerBound: [UInt8]? = nil,
        upperBound: [UInt8]? = nil
    ) throws -> RocksDBIterator {
        let handle = try self.handle()
        return try family.withPointer(in: handle) { family in
            RocksDBIterator(handle: handle, family: family, lowerBound: lowerBound, upperBound: upperBound)
        }
    }

    /// Makes an iterator over the keys of `family` that start with `prefix`.
    public func makeIterator(in family: ColumnFamily, prefix: [UInt8]) throws -> RocksDBIterator {
        try self.makeIterator(in: family, lowerBound: prefix, upperBound: Self.upperBound(forPrefix: prefix))
    }

    /// Calls `body` with each entry whose key is in `[start, end)`, in ascending key order, or in
    /// descending order if `reverse` is set, until `body` returns `false`.
    ///
    /// A `nil` bound leaves that side open. For an inclusive end, pass `end + [0]`, the smallest key
    /// after `end`. The buffers are valid only during the call to `body`.
    ///
    /// - Throws: ``RocksDBError`` if reading fails, or whatever `body` throws.
    public func scan(
        from start: [UInt8]?,
        to end: [UInt8]?,
        reverse: Bool = false,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        let iterator = try self.makeIterator(lowerBound: start, upperBound: end)
        try iterator.forEach(reverse: reverse, body)
    }

    /// Calls `body` with each entry whose key starts with `prefix`, in ascending key order, or in
    /// descending order if `reverse` is set, until `body` returns `false`.
    ///
    /// The buffers are valid only during the call to `body`.
    ///
    /// - Throws: ``RocksDBError`` if reading fails, or whatever `body` throws.
    public func scan(
        prefix: [UInt8],
        reverse: Bool = false,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        let iterator = try self.makeIterator(prefix: prefix)
        try iterator.forEach(reverse: reverse, body)
    }

    /// Calls `body` with each entry of `family` whose key is in `[start, end)`, in ascending key
    /// order, or in descending order if `reverse` is set, until `body` returns `false`.
    ///
    /// A `nil` bound leaves that side open. The buffers are valid only during the call to `body`.
    ///
    /// - Throws: ``RocksDBError`` if reading fails, or whatever `body` throws.
    public func scan(
        in family: ColumnFamily,
        from start: [UInt8]?,
        to end: [UInt8]?,
        reverse: Bool = false,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        let iterator = try self.makeIterator(in: family, lowerBound: start, upperBound: end)
        try iterator.forEach(reverse: reverse, body)
    }

    /// Calls `body` with each entry of `family` whose key starts with `prefix`, in ascending key
    /// order, or in descending order if `reverse` is set, until `body` returns `false`.
    ///
    /// The buffers are valid only during the call to `body`.
    ///
    /// - Throws: ``RocksDBError`` if reading fails, or whatever `body` throws.
    public func scan(
        in family: ColumnFamily,
        prefix: [UInt8],
        reverse: Bool = false,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        let iterator = try self.makeIterator(in: family, prefix: prefix)
        try iterator.forEach(reverse: reverse, body)
    }

    /// The smallest key greater than every key that starts with `prefix`, or `nil` if there is none
    /// (`prefix` is empty or all `0xFF`).
    static func upperBound(forPrefix prefix: [UInt8]) -> [UInt8]? {
        var bound = prefix
        while let last = bound.last {
            if last == 0xFF {
                bound.removeLast()
            } else {
                bound[bound.count - 1] = last + 1
                return bound
            }
        }
        return nil
    }
}

extension RocksDBIterator {
    /// Visits every entry within the bounds from one end, until `body` returns `false`.
    fileprivate func forEach(
        reverse: Bool,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        if reverse {
            self.seekToLast()
        } else {
            self.seekToFirst()
        }
        while let key = self.unsafeKey, let value = self.unsafeValue {
            guard try body(key, value) else { return }
            if reverse {
                self.previous()
            } else {
                self.next()
            }
        }
        try self.checkStatus()
    }
}
