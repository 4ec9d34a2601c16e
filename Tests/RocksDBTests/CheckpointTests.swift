import Foundation
import Testing

import RocksDB

@Suite struct CheckpointTests {
    @Test func checkpointOpensWithTheSameData() throws {
        try withTemporaryDirectory { directory in
            let db = try RocksDB(path: directory + "/db")
            try db.put([1], [1])
            try db.flush()
            try db.put([2], [2])
            // Not in the WAL: the checkpoint must flush it.
            try db.put([3], [3], options: WriteOptions(disableWAL: true))
            try db.createCheckpoint(at: directory + "/checkpoint")
            try db.put([4], [4])
            try db.delete([1])

            let copy = try RocksDB(path: directory + "/checkpoint")
            var keys: [[UInt8]] = []
            try copy.scan(from: nil, to: nil) { key, value in
                #expect(Array(key) == Array(value))
                keys.append(Array(key))
                return true
            }
            #expect(keys == [[1], [2], [3]])
            // The copy is independent of the original.
            try copy.put([9], [9])
            #expect(try db.get([9]) == nil)
            #expect(try db.get([1]) == nil)
        }
    }

    @Test func checkpointIntoExistingDirectoryThrows() throws {
        try withTemporaryDirectory { directory in
            let db = try RocksDB(path: directory + "/db")
            try db.put([1], [1])
            try FileManager.default.createDirectory(atPath: directory + "/taken", withIntermediateDirectories: false)
            let error = try #require(throws: RocksDBError.self) { try db.createCheckpoint(at: directory + "/taken") }
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("exists"))
            #expect(throws: RocksDBError.self) { try db.createCheckpoint(at: directory + "/bad\0path") }
        }
    }
}
