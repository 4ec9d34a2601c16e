import Foundation
import Testing

import RocksDB

@Suite struct OpenErrorTests {
    @Test func pathIsARegularFile() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/file"
            #expect(FileManager.default.createFile(atPath: path, contents: Data([1, 2, 3])))
            let error = try #require(throws: RocksDBError.self) { try RocksDB(path: path) }
            #expect(error.code == .ioError)
            #expect(error.message.contains(path))
            #expect(error.description.contains(path))
        }
    }

    @Test func databaseLockedBySecondOpen() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/db"
            let first = try RocksDB(path: path)
            let error = try #require(throws: RocksDBError.self) { try RocksDB(path: path) }
            #expect(error.code == .ioError)
            #expect(error.message.lowercased().contains("lock"))
            #expect(error.message.contains(path))
            // Destroying a database that is open elsewhere fails too, and leaves it intact.
            try first.put([1], [1])
            #expect(throws: RocksDBError.self) { try RocksDB.destroy(path: path) }
            #expect(try first.get([1]) == [1])
            first.close()
            _ = try RocksDB(path: path)
        }
    }

    @Test func errorIfExists() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/db"
            var options = RocksDBOptions()
            options.errorIfExists = true
            try RocksDB(path: path, options: options).close()
            let error = try #require(throws: RocksDBError.self) { try RocksDB(path: path, options: options) }
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("exists"))
        }
    }

    @Test func missingDatabaseWithoutCreateIfMissing() throws {
        try withTemporaryDirectory { directory in
            var options = RocksDBOptions()
            options.createIfMissing = false
            let error = try #require(throws: RocksDBError.self) {
                try RocksDB(path: directory + "/missing", options: options)
            }
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("does not exist"))
        }
    }

    @Test func pathWithNULByte() throws {
        let error = try #require(throws: RocksDBError.self) { try RocksDB(path: "/tmp/a\0b") }
        #expect(error.code == .invalidArgument)
    }

    @Test(arguments: [
        { (o: inout RocksDBOptions) in o.writeBufferSize = -1 },
        { (o: inout RocksDBOptions) in o.writeBufferSize = 0 },
        { (o: inout RocksDBOptions) in o.maxWriteBufferNumber = 0 },
        { (o: inout RocksDBOptions) in o.maxWriteBufferNumber = Int(Int32.max) + 1 },
        { (o: inout RocksDBOptions) in o.dbWriteBufferSize = -5 },
        { (o: inout RocksDBOptions) in o.blockSize = -1 },
        { (o: inout RocksDBOptions) in o.bloomFilterBitsPerKey = .nan },
        { (o: inout RocksDBOptions) in o.bloomFilterBitsPerKey = 0 },
        { (o: inout RocksDBOptions) in o.maxOpenFiles = -2 },
        { (o: inout RocksDBOptions) in o.backgroundThreads = 0 },
    ] as [@Sendable (inout RocksDBOptions) -> Void])
    func invalidOptionsThrowInsteadOfCrashing(_ change: @Sendable (inout RocksDBOptions) -> Void) throws {
        try withTemporaryDirectory { directory in
            var options = RocksDBOptions()
            change(&options)
            let error = try #require(throws: RocksDBError.self) { try RocksDB(path: directory + "/db", options: options) }
            #expect(error.code == .invalidArgument)
            #expect(throws: RocksDBError.self) { try RocksDB.destroy(path: directory + "/db", options: options) }
        }
    }
}
