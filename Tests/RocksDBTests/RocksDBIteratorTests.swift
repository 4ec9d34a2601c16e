import Testing

@testable import RocksDB

@Suite struct RocksDBIteratorTests {
    /// A database holding every key of `awkwardKeys` (inserted out of order) with the key as value.
    private func withAwkwardDatabase(_ body: (RocksDB) throws -> Void) throws {
        try withTemporaryDirectory { directory in
            let db = try RocksDB(path: directory + "/db")
            for key in awkwardKeys.reversed() { try db.put(key, key) }
            // Half in an SST file, half in the memtable: iteration merges both.
            try db.flush()
            for key in awkwardKeys.shuffled() { try db.put(key, key) }
            try body(db)
        }
    }

    private func collect(_ iterator: RocksDBIterator, reverse: Bool = false) throws -> [[UInt8]] {
        var keys: [[UInt8]] = []
        while let key = iterator.key {
            #expect(iterator.value == key)
            keys.append(key)
            if reverse { iterator.previous() } else { iterator.next() }
        }
        try iterator.checkStatus()
        return keys
    }

    @Test func ordersKeysByUnsignedBytes() throws {
        try withAwkwardDatabase { db throws in
            let expected = unsignedSorted(awkwardKeys)
            #expect(expected.first == [])
            #expect(expected.last == [0xFF, 0xFF, 0xFF])
            let iterator = try db.makeIterator()
            iterator.seekToFirst()
            #expect(try collect(iterator) == expected)
            iterator.seekToLast()
            #expect(try collect(iterator, reverse: true) == expected.reversed())
        }
    }

    @Test func seekAndSeekForPrev() throws {
        try withAwkwardDatabase { db throws in
            let iterator = try db.makeIterator()
            iterator.seek([0x7F, 0x00])
            #expect(iterator.key == [0x7F, 0xFF])
            iterator.seek([0x80])
            #expect(iterator.key == [0x80])
            iterator.seekForPrev([0x80])
            #expect(iterator.key == [0x80])
            iterator.seekForPrev([0x7F, 0xFF, 0x00])
            #expect(iterator.key == [0x7F, 0xFF])
            iterator.seekForPrev([0xFE])
            #expect(iterator.key == [0x81])
            iterator.previous()
            #expect(iterator.key == [0x80, 0x00])
            iterator.seekForPrev([])
            #expect(iterator.key == [])
            iterator.seek([0xFF, 0xFF, 0xFF, 0x00])
            #expect(!iterator.isValid)
            [UInt8]([0x01]).withUnsafeBytes { key in
                iterator.seek(key)
                #expect(iterator.key == [0x01])
                iterator.seekForPrev(key)
                #expect(iterator.key == [0x01])
            }
        }
    }

    @Test func invalidIteratorIsHarmless() throws {
        try withAwkwardDatabase { db throws in
            let iterator = try db.makeIterator()
            #expect(!iterator.isValid)
            iterator.next()
            iterator.previous()
            #expect(iterator.key == nil)
            #expect(iterator.value == nil)
            #expect(iterator.unsafeKey == nil)
            #expect(iterator.unsafeValue == nil)
            iterator.seekToLast()
            iterator.next()
            #expect(!iterator.isValid)
            iterator.next()
            iterator.previous()
            #expect(!iterator.isValid)
            try iterator.checkStatus()
        }
    }

    @Test func zeroCopyViews() throws {
        try withAwkwardDatabase { db throws in
            let iterator = try db.makeIterator()
            iterator.seek([0x80, 0x00])
            let key = try #require(iterator.unsafeKey)
            let value = try #require(iterator.unsafeValue)
            #expect(Array(key) == [0x80, 0x00])
            #expect(Array(value) == [0x80, 0x00])
        }
    }

    @Test func readsASnapshot() throws {
        try withTemporaryDirectory { directory in
            let db = try RocksDB(path: directory + "/db")
            try db.put([1], [1])
            let iterator = try db.makeIterator()
            try db.put([2], [2])
            try db.delete([1])
            iterator.seekToFirst()
            #expect(try collect(iterator) == [[1]])
        }
    }

    @Test func boundedIterator() throws {
        try withAwkwardDatabase { db throws in
            let iterator = try db.makeIterator(lowerBound: [0x7F], upperBound: [0xFF])
            iterator.seekToFirst()
            #expect(try collect(iterator) == [[0x7F], [0x7F, 0xFF], [0x80], [0x80, 0x00], [0x81], [0xFE, 0xFF]])
            iterator.seekToLast()
            #expect(iterator.key == [0xFE, 0xFF])
            // Seeks are clamped to the bounds.
            iterator.seek([0x00])
            #expect(iterator.key == [0x7F])
            iterator.seek([0xFF])
            #expect(!iterator.isValid)
            iterator.seekForPrev([0xFF, 0xFF])
            #expect(iterator.key == [0xFE, 0xFF])
        }
    }

    @Test func iteratorOutlivesClose() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/db"
            var iterator: RocksDBIterator?
            do {
                let db = try RocksDB(path: path)
                try db.put([1], [1])
                try db.put([2], [2])
                iterator = try db.makeIterator()
                db.close()
            }
            // The iterator keeps RocksDB (and its lock) alive after close and deinit.
            #expect(throws: RocksDBError.self) { try RocksDB(path: path) }
            iterator?.seekToFirst()
            #expect(try collect(try #require(iterator)) == [[1], [2]])
            iterator = nil
            let reopened = try RocksDB(path: path)
            #expect(try reopened.get([2]) == [2])
        }
    }

    @Test(arguments: [
        ([], [0x01]),
        ([0x01], [0x02]),
        ([0x01, 0xFF], [0x02]),
        ([0xFF], nil),
        ([0xFF, 0xFF], nil),
        ([0x7F, 0xFF, 0x00], [0x7F, 0xFF, 0x01]),
    ] as [([UInt8], [UInt8]?)])
    func prefixUpperBound(prefix: [UInt8], expected: [UInt8]?) {
        if prefix.isEmpty {
            #expect(RocksDB.upperBound(forPrefix: prefix) == nil)
        } else {
            #expect(RocksDB.upperBound(forPrefix: prefix) == expected)
        }
    }
}
