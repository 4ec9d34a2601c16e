import Testing

import RocksDB

@Suite struct WriteBatchTests {
    @Test func countAndClear() {
        let batch = WriteBatch()
        #expect(batch.isEmpty)
        batch.put([1], [1])
        batch.delete([2])
        batch.deleteRange(from: [3], to: [4])
        [UInt8]([5]).withUnsafeBytes { key in
            batch.put(key, key)
            batch.delete(key)
            batch.deleteRange(from: key, to: key)
        }
        #expect(batch.count == 6)
        batch.clear()
        #expect(batch.count == 0)
        #expect(batch.isEmpty)
    }

    @Test func appliesAllOperationsInOrder() throws {
        try withTemporaryDirectory { directory in
            let db = try RocksDB(path: directory + "/db")
            try db.put([1], [1])
            try db.put([5], [5])
            let batch = WriteBatch()
            batch.put([2], [2])
            batch.delete([1])
            batch.put([3], [3])
            batch.put([3], [33])
            batch.deleteRange(from: [4], to: [6])
            try db.write(batch)
            #expect(try db.get([1]) == nil)
            #expect(try db.get([2]) == [2])
            #expect(try db.get([3]) == [33])
            #expect(try db.get([5]) == nil)
            // The batch is left as it was and can be applied again.
            #expect(batch.count == 5)
        }
    }

    @Test func invertedRangeIsEmptyAndKeepsTheBatchAtomic() throws {
        try withTemporaryDirectory { directory in
            let db = try RocksDB(path: directory + "/db")
            try db.put([1], [1])
            try db.put([8], [8])
            let batch = WriteBatch()
            batch.put([2], [2])
            batch.delete([1])
            // RocksDB 7.8 would apply the first two operations, then fail on this one.
            batch.deleteRange(from: [9], to: [8])
            batch.deleteRange(from: [9, 0], to: [9])
            #expect(batch.count == 2)
            try db.write(batch)
            #expect(try db.get([1]) == nil)
            #expect(try db.get([2]) == [2])
            #expect(try db.get([8]) == [8])
        }
    }

    @Test func rejectedWriteOptionsApplyNothing() throws {
        try withTemporaryDirectory { directory in
            let db = try RocksDB(path: directory + "/db")
            try db.put([1], [1])
            let batch = WriteBatch()
            batch.put([2], [2])
            batch.delete([1])
            let error = try #require(throws: RocksDBError.self) {
                try db.write(batch, options: WriteOptions(sync: true, disableWAL: true))
            }
            #expect(error.code == .invalidArgument)
            #expect(try db.get([1]) == [1])
            #expect(try db.get([2]) == nil)
            try db.write(batch, options: WriteOptions(disableWAL: true))
            #expect(try db.get([1]) == nil)
            #expect(try db.get([2]) == [2])
        }
    }

    @Test func writeToClosedDatabaseThrowsAndAppliesNothing() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/db"
            let db = try RocksDB(path: path)
            try db.put([1], [1])
            db.close()
            let batch = WriteBatch()
            batch.put([2], [2])
            batch.delete([1])
            let error = try #require(throws: RocksDBError.self) { try db.write(batch) }
            #expect(error.code == .databaseClosed)
            let reopened = try RocksDB(path: path)
            #expect(try reopened.get([1]) == [1])
            #expect(try reopened.get([2]) == nil)
        }
    }

    @Test func oneBatchWrittenToTwoDatabases() throws {
        try withTemporaryDirectory { directory in
            let first = try RocksDB(path: directory + "/first")
            let second = try RocksDB(path: directory + "/second")
            let batch = WriteBatch()
            batch.put([1], [1])
            try first.write(batch)
            try second.write(batch)
            #expect(try first.get([1]) == [1])
            #expect(try second.get([1]) == [1])
        }
    }
}
