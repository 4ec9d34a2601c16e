import Testing

import RocksDB

@Suite struct ScanTests {
    private func withAwkwardDatabase(_ body: (RocksDB) throws -> Void) throws {
        try withTemporaryDirectory { directory in
            let db = try RocksDB(path: directory + "/db")
            let batch = WriteBatch()
            for key in awkwardKeys.shuffled() { batch.put(key, key) }
            try db.write(batch)
            try body(db)
        }
    }

    private func scanKeys(_ db: RocksDB, from: [UInt8]?, to: [UInt8]?, reverse: Bool = false) throws -> [[UInt8]] {
        var keys: [[UInt8]] = []
        try db.scan(from: from, to: to, reverse: reverse) { key, value in
            #expect(Array(key) == Array(value))
            keys.append(Array(key))
            return true
        }
        return keys
    }

    private func scanKeys(_ db: RocksDB, prefix: [UInt8], reverse: Bool = false) throws -> [[UInt8]] {
        var keys: [[UInt8]] = []
        try db.scan(prefix: prefix, reverse: reverse) { key, _ in
            keys.append(Array(key))
            return true
        }
        return keys
    }

    /// The keys `[from, to)` of `awkwardKeys`, computed without RocksDB.
    private func expected(from: [UInt8]?, to: [UInt8]?) -> [[UInt8]] {
        unsignedSorted(awkwardKeys).filter { key in
            (from.map { !key.lexicographicallyPrecedes($0) } ?? true)
                && (to.map { key.lexicographicallyPrecedes($0) } ?? true)
        }
    }

    @Test(arguments: [
        (nil, nil),
        ([], nil),
        (nil, [0x80]),
        ([0x7F], [0x81]),
        ([0x00], [0x00, 0xFF]),
        ([0x00, 0x00], [0x00, 0x00, 0x00]),
        ([0x7F, 0xFF], [0x80, 0x00]),
        ([0x80], nil),
        ([0xFF], [0xFF, 0xFF, 0xFF, 0x00]),
        ([0x10], [0x20]),
        ([0x90], [0x10]),
        (nil, []),
    ] as [([UInt8]?, [UInt8]?)])
    func rangeScans(from: [UInt8]?, to: [UInt8]?) throws {
        try withAwkwardDatabase { db throws in
            let expected = expected(from: from, to: to)
            #expect(try scanKeys(db, from: from, to: to) == expected)
            #expect(try scanKeys(db, from: from, to: to, reverse: true) == expected.reversed())
        }
    }

    @Test func inclusiveEndByAppendingZero() throws {
        try withAwkwardDatabase { db throws in
            #expect(try scanKeys(db, from: [0x7F], to: [0x80] + [0]) == [[0x7F], [0x7F, 0xFF], [0x80]])
        }
    }

    @Test(arguments: [
        [], [0x00], [0x7F], [0x80], [0xFF], [0xFF, 0xFF], [0x00, 0xFF], [0x42],
    ] as [[UInt8]])
    func prefixScans(prefix: [UInt8]) throws {
        try withAwkwardDatabase { db throws in
            let expected = unsignedSorted(awkwardKeys).filter { $0.starts(with: prefix) }
            #expect(try scanKeys(db, prefix: prefix) == expected)
            #expect(try scanKeys(db, prefix: prefix, reverse: true) == expected.reversed())
        }
    }

    @Test func prefixScanExamples() throws {
        try withAwkwardDatabase { db throws in
            #expect(try scanKeys(db, prefix: [0xFF]) == [[0xFF], [0xFF, 0x00], [0xFF, 0xFF], [0xFF, 0xFF, 0xFF]])
            #expect(try scanKeys(db, prefix: [0x7F], reverse: true) == [[0x7F, 0xFF], [0x7F]])
            let iterator = try db.makeIterator(prefix: [0x80])
            iterator.seekToLast()
            #expect(iterator.key == [0x80, 0x00])
        }
    }

    @Test func stopsWhenBodyReturnsFalse() throws {
        try withAwkwardDatabase { db throws in
            var visited: [[UInt8]] = []
            try db.scan(from: [0x80], to: nil) { key, _ in
                visited.append(Array(key))
                return visited.count < 2
            }
            #expect(visited == [[0x80], [0x80, 0x00]])
        }
    }

    @Test func bodyErrorsPropagate() throws {
        struct Marker: Error {}
        try withAwkwardDatabase { db throws in
            #expect(throws: Marker.self) { try db.scan(prefix: []) { _, _ in throw Marker() } }
        }
    }
}
