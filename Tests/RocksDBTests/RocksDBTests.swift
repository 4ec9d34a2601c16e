import Foundation
import Testing

@testable import RocksDB

@Suite struct RocksDBTests {
    @Test func putGetDelete() throws {
        try withTemporaryDirectory { directory in
            let db = try RocksDB(path: directory + "/db")
            #expect(try db.get([1]) == nil)
            try db.put([1], [10, 11])
            #expect(try db.get([1]) == [10, 11])
            try db.put([1], [12])
            #expect(try db.get([1]) == [12])
            try db.delete([1])
            #expect(try db.get([1]) == nil)
            // Deleting a missing key is not an error.
            try db.delete([1])
        }
    }

    @Test func emptyKeyAndEmptyValue() throws {
        try withTemporaryDirectory { directory in
            let db = try RocksDB(path: directory + "/db")
            try db.put([], [1])
            try db.put([2], [])
            #expect(try db.get([]) == [1])
            #expect(try db.get([2]) == [])
            #expect(try db.withValue(forKey: [2]) { $0?.count } == 0)
            try db.delete([])
            #expect(try db.get([]) == nil)
        }
    }

    @Test func rawBufferOverloads() throws {
        try withTemporaryDirectory { directory in
            let db = try RocksDB(path: directory + "/db")
            let key: [UInt8] = [0xFF, 0x00, 0x80]
            let value: [UInt8] = Array(repeating: 0xAB, count: 10_000)
            try key.withUnsafeBytes { key in
                try value.withUnsafeBytes { value in try db.put(key, value) }
                #expect(try db.get(key) == value)
                let sum = try db.withValue(forKey: key) { buffer in buffer.map { $0.reduce(0) { $0 + Int($1) } } }
                #expect(sum == 0xAB * 10_000)
                try db.delete(key)
                #expect(try db.withValue(forKey: key) { $0 == nil })
            }
        }
    }

    @Test func withValueRethrowsAndSeesMissingKeys() throws {
        struct Marker: Error {}
        try withTemporaryDirectory { directory in
            let db = try RocksDB(path: directory + "/db")
            try db.put([1], [2])
            #expect(throws: Marker.self) { try db.withValue(forKey: [1]) { _ in throw Marker() } }
            #expect(try db.withValue(forKey: [9]) { $0 == nil })
        }
    }

    @Test func deleteRange() throws {
        try withTemporaryDirectory { directory in
            let db = try RocksDB(path: directory + "/db")
            for byte: UInt8 in 0..<10 { try db.put([byte], [byte]) }
            try db.deleteRange(from: [2], to: [5])
            #expect(try (0..<10).filter { try db.get([UInt8($0)]) != nil } == [0, 1, 5, 6, 7, 8, 9])
            // An inverted range is empty.
            try db.deleteRange(from: [9], to: [1])
            #expect(try db.get([9]) == [9])
            #expect(try db.get([1]) == [1])
        }
    }

    @Test func reopenKeepsData() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/db"
            do {
                let db = try RocksDB(path: path)
                try db.put(Array("logged"), [1])
                try db.put(Array("unlogged"), [2], options: WriteOptions(disableWAL: true))
                try db.put(Array("synced"), [3], options: WriteOptions(sync: true))
                try db.flush()
                db.close()
            }
            let db = try RocksDB(path: path, options: { var o = RocksDBOptions(); o.createIfMissing = false; return o }())
            #expect(try db.get(Array("logged")) == [1])
            #expect(try db.get(Array("unlogged")) == [2])
            #expect(try db.get(Array("synced")) == [3])
        }
    }

    @Test func deinitClosesSoThePathCanBeReopened() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/db"
            do {
                let db = try RocksDB(path: path)
                try db.put([1], [1])
            }
            let db = try RocksDB(path: path)
            #expect(try db.get([1]) == [1])
        }
    }

    @Test func closedDatabaseThrowsEverywhere() throws {
        try withTemporaryDirectory { directory in
            let db = try RocksDB(path: directory + "/db")
            try db.put([1], [1])
            #expect(!db.isClosed)
            db.close()
            db.close()
            #expect(db.isClosed)
            func expectClosed(_ body: () throws -> Void) {
                #expect { try body() } throws: { ($0 as? RocksDBError)?.code == .databaseClosed }
            }
            expectClosed { _ = try db.get([1]) }
            expectClosed { _ = try db.withValue(forKey: [1]) { $0 } }
            expectClosed { try db.put([1], [2]) }
            expectClosed { try db.delete([1]) }
            expectClosed { try db.deleteRange(from: [0], to: [9]) }
            expectClosed { try db.flush() }
            expectClosed { _ = try db.makeIterator() }
            expectClosed { try db.scan(from: nil, to: nil) { _, _ in true } }
            expectClosed { try db.createCheckpoint(at: directory + "/checkpoint") }
            expectClosed { _ = try db.property("rocksdb.stats") }
            expectClosed { _ = try db.approximateNumEntries }
        }
    }

    @Test func concurrentReadsAndWritesRaceWithClose() async throws {
        try await withTemporaryDirectory { directory in
            let db = try RocksDB(path: directory + "/db")
            for i in 0..<100 { try db.put([UInt8(i)], [UInt8(i)]) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<4 {
                    group.addTask {
                        for i in 0..<2_000 {
                            do {
                                let key = [UInt8(i % 100)]
                                if task % 2 == 0 {
                                    #expect(try db.get(key) == key)
                                } else {
                                    try db.put(key, key)
                                }
                            } catch let error as RocksDBError where error.code == .databaseClosed {
                                return
                            }
                        }
                    }
                }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(5))
                    db.close()
                }
                try await group.waitForAll()
            }
            #expect(db.isClosed)
            // Every in-flight call has returned, so RocksDB has released its lock.
            let reopened = try RocksDB(path: directory + "/db")
            #expect(try reopened.get([42]) == [42])
        }
    }

    @Test func properties() throws {
        try withTemporaryDirectory { directory in
            let db = try RocksDB(path: directory + "/db")
            for i in 0..<1_000 { try db.put(withUnsafeBytes(of: UInt32(i).bigEndian, Array.init), [1]) }
            #expect(try db.approximateNumEntries == 1_000)
            #expect(try db.property("rocksdb.stats")?.isEmpty == false)
            #expect(try db.property("rocksdb.no-such-property") == nil)
            #expect(try db.integerProperty("rocksdb.no-such-property") == nil)
            #expect(try db.integerProperty("rocksdb.num-entries-active-mem-table") == 1_000)
            #expect(throws: RocksDBError.self) { try db.property("rocksdb.\0stats") }
        }
    }

    @Test func destroyRemovesTheDatabase() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/db"
            do {
                let db = try RocksDB(path: path)
                try db.put([1], [1])
                try db.flush()
            }
            try RocksDB.destroy(path: path)
            #expect(!FileManager.default.fileExists(atPath: path + "/CURRENT"))
            var options = RocksDBOptions()
            options.createIfMissing = false
            #expect(throws: RocksDBError.self) { try RocksDB(path: path, options: options) }
            let db = try RocksDB(path: path)
            #expect(try db.get([1]) == nil)
            db.close()
            // Nothing to destroy is not an error.
            try RocksDB.destroy(path: directory + "/never-created")
        }
    }
}
