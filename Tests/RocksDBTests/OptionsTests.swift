import Foundation
import Testing

import RocksDB

@Suite struct OptionsTests {
    @Test(arguments: [
        RocksDBOptions.Compression.none, .snappy, .zlib, .bzip2, .lz4, .lz4hc, .zstd,
    ])
    func compression(_ compression: RocksDBOptions.Compression) throws {
        try withTemporaryDirectory { directory in
            var options = RocksDBOptions()
            options.compression = compression
            let value = Array(repeating: UInt8(7), count: 4096)
            do {
                let db = try RocksDB(path: directory + "/db", options: options)
                for i in 0..<100 { try db.put([UInt8(i)], value) }
                try db.flush()
            }
            let db = try RocksDB(path: directory + "/db", options: options)
            #expect(try db.get([99]) == value)
        }
    }

    @Test func tuningOptions() throws {
        try withTemporaryDirectory { directory in
            var options = RocksDBOptions()
            options.writeBufferSize = 64 * 1024
            options.maxWriteBufferNumber = 3
            options.dbWriteBufferSize = 1024 * 1024
            options.blockSize = 16 * 1024
            options.bloomFilterBitsPerKey = 10
            options.cacheIndexAndFilterBlocks = true
            options.maxOpenFiles = -1
            options.backgroundThreads = 2
            let db = try RocksDB(path: directory + "/db", options: options)
            // Enough data for the small write buffer to flush on its own.
            let value = Array(repeating: UInt8(1), count: 1024)
            for i in 0..<1_000 { try db.put(withUnsafeBytes(of: UInt32(i).bigEndian, Array.init), value) }
            try db.flush()
            #expect(try db.get(withUnsafeBytes(of: UInt32(500).bigEndian, Array.init)) == value)
            #expect(try db.get([0xFF]) == nil)
        }
    }

    @Test func sharedBlockCache() throws {
        try withTemporaryDirectory { directory in
            let cache = RocksDBCache(capacity: 8 * 1024 * 1024)
            #expect(cache.capacity == 8 * 1024 * 1024)
            #expect(cache.usage == 0)
            var options = RocksDBOptions()
            options.blockCache = cache
            options.compression = RocksDBOptions.Compression.none
            let first = try RocksDB(path: directory + "/first", options: options)
            let second = try RocksDB(path: directory + "/second", options: options)
            let value = Array(repeating: UInt8(3), count: 1024)
            for db in [first, second] {
                for i in 0..<200 { try db.put([UInt8(i)], value) }
                try db.flush()
            }
            // Reading an SST file loads its blocks into the one shared cache.
            _ = try first.get([1])
            let afterFirst = cache.usage
            #expect(afterFirst > 0)
            _ = try second.get([1])
            #expect(cache.usage > afterFirst)

            cache.setCapacity(-1)
            #expect(cache.capacity == 0)
            cache.setCapacity(1024 * 1024)
            #expect(cache.capacity == 1024 * 1024)
            #expect(cache.pinnedUsage >= 0)
            #expect(RocksDBCache(capacity: -10).capacity == 0)
            #expect(RocksDBCache(capacity: 1024, strictCapacityLimit: true).capacity == 1024)
        }
    }

    @Test func cacheOutlivedByDatabases() throws {
        try withTemporaryDirectory { directory in
            var options = RocksDBOptions()
            options.blockCache = RocksDBCache(capacity: 1024 * 1024)
            let db = try RocksDB(path: directory + "/db", options: options)
            options.blockCache = nil  // The databases keep the cache.
            try db.put([1], [1])
            try db.flush()
            #expect(try db.get([1]) == [1])
        }
    }

    @Test func memtableBloomFilterTakesItsShareOfTheMemtable() throws {
        try withTemporaryDirectory { directory in
            func activeMemtableBytes(ratio: Double?) throws -> UInt64 {
                var options = RocksDBOptions()
                options.writeBufferSize = 4 * 1024 * 1024
                options.memtableBloomFilterRatio = ratio
                let db = try RocksDB(path: directory + "/db-\(ratio ?? 0)", options: options)
                for key in 0..<100 { try db.put([UInt8(key)], [1]) }
                // Present keys are found and absent ones are not, whatever the filter says.
                #expect(try db.get([42]) == [1])
                #expect(try db.get([200]) == nil)
                try db.flush()
                try db.put([201], [2])
                #expect(try db.get([42]) == [1])
                #expect(try db.get([201]) == [2])
                #expect(try db.get([202]) == nil)
                return try #require(try db.integerProperty("rocksdb.cur-size-active-mem-table"))
            }
            let without = try activeMemtableBytes(ratio: nil)
            let with = try activeMemtableBytes(ratio: 0.25)
            // The filter is allocated with the memtable: a quarter of 4 MiB.
            #expect(with >= without + 1024 * 1024)
        }
    }

    @Test(arguments: [0, -0.1, 0.3, Double.nan, Double.infinity])
    func memtableBloomFilterRatioOutOfRange(_ ratio: Double) throws {
        try withTemporaryDirectory { directory in
            var options = RocksDBOptions()
            options.memtableBloomFilterRatio = ratio
            #expect {
                _ = try RocksDB(path: directory + "/db", options: options)
            } throws: { error in
                guard let error = error as? RocksDBError else { return false }
                return error.code == .invalidArgument && error.message.contains("memtableBloomFilterRatio")
            }
        }
    }

    @Test func inplaceUpdatesKeepOneMemtableEntryPerKey() throws {
        try withTemporaryDirectory { directory in
            func entries(inplace: Bool) throws -> UInt64? {
                var options = RocksDBOptions()
                options.inplaceUpdateSupport = inplace
                let db = try RocksDB(path: directory + "/db-\(inplace)", options: options)
                for round in 0..<100 {
                    for key in 0..<10 { try db.put([UInt8(key)], withUnsafeBytes(of: UInt64(round).bigEndian, Array.init)) }
                }
                let latest = try db.get([3])
                #expect(latest == withUnsafeBytes(of: UInt64(99).bigEndian, Array.init))
                var seen: [[UInt8]] = []
                try db.scan(from: nil, to: nil) { key, _ in
                    seen.append(Array(key))
                    return true
                }
                #expect(seen == (0..<10).map { [UInt8($0)] })
                return try db.integerProperty("rocksdb.num-entries-active-mem-table")
            }
            let versions = try entries(inplace: false)
            let overwritten = try entries(inplace: true)
            #expect(versions == 1_000)
            #expect(overwritten == 10)
        }
    }

    @Test func inplaceUpdatesRefuseBackwardIteration() throws {
        try withTemporaryDirectory { directory in
            var options = RocksDBOptions()
            options.inplaceUpdateSupport = true
            let db = try RocksDB(path: directory + "/db", options: options)
            for key in 0..<3 { try db.put([UInt8(key)], [1]) }
            // RocksDB cannot step back over values it may overwrite: an error, never wrong data.
            #expect(throws: RocksDBError.self) {
                try db.scan(from: nil, to: nil, reverse: true) { _, _ in true }
            }
        }
    }
}
