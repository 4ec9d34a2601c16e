import Foundation
import Synchronization
import Testing

import RocksDB

@Suite struct ColumnFamilyTests {
    @Test func openWithAFamilyKeepsValuesIndependent() throws {
        try withTemporaryDirectory { directory in
            let db = try RocksDB(path: directory + "/db", columnFamilies: ["meta"])
            #expect(try db.columnFamilyNames == ["default", "meta"])
            let meta = try #require(try db.columnFamily(named: "meta"))
            #expect(meta.name == "meta")
            #expect(try db.columnFamily(named: "missing") == nil)

            try db.put([1], [10])
            try db.put([1], [20], in: meta)
            #expect(try db.get([1]) == [10])
            #expect(try db.get([1], in: meta) == [20])
            #expect(try db.withValue(forKey: [1], in: meta) { $0.map(Array.init) } == [20])

            try db.delete([1], in: meta)
            #expect(try db.get([1], in: meta) == nil)
            #expect(try db.get([1]) == [10])
            try db.delete([1])
            try db.put([1], [21], in: meta)
            #expect(try db.get([1]) == nil)
            #expect(try db.get([1], in: meta) == [21])

            // The raw buffer overloads, with an empty key and an empty value.
            try [UInt8]().withUnsafeBytes { empty in
                try [UInt8]([7]).withUnsafeBytes { seven in
                    try db.put(empty, seven, in: meta)
                    try db.put(seven, empty, in: meta)
                    #expect(try db.get(empty, in: meta) == [7])
                    #expect(try db.get(seven, in: meta) == [])
                    #expect(try db.withValue(forKey: seven, in: meta) { $0?.count } == 0)
                    #expect(try db.get(empty) == nil)
                    try db.delete(empty, in: meta)
                    #expect(try db.get(empty, in: meta) == nil)
                }
            }

            try db.put([5], [5], in: meta, options: WriteOptions(disableWAL: true))
            try db.deleteRange(from: [2], to: [6], in: meta)
            #expect(try db.get([5], in: meta) == nil)
            #expect(try db.get([1], in: meta) == [21])
        }
    }

    @Test func defaultFamilyIsTheOneWithoutInParameter() throws {
        try withTemporaryDirectory { directory in
            let db = try RocksDB(path: directory + "/db")
            #expect(try db.columnFamilyNames == [ColumnFamily.defaultName])
            let defaultFamily = try #require(try db.columnFamily(named: ColumnFamily.defaultName))
            try db.put([1], [1], in: defaultFamily)
            #expect(try db.get([1]) == [1])
            try db.put([2], [2])
            #expect(try db.get([2], in: defaultFamily) == [2])
        }
    }

    @Test func batchAcrossFamiliesAppliesAtomically() throws {
        try withTemporaryDirectory { directory in
            let db = try RocksDB(path: directory + "/db", columnFamilies: ["meta"])
            let meta = try #require(try db.columnFamily(named: "meta"))
            try db.put([1], [1])
            try db.put([9], [9], in: meta)

            let batch = WriteBatch()
            batch.put([2], [2])
            try batch.put([1], [100], in: meta)
            batch.delete([1])
            try batch.delete([9], in: meta)
            try batch.put([8], [8], in: meta)
            #expect(batch.count == 5)

            // RocksDB rejects sync together with disableWAL: nothing is applied, in either family.
            let error = try #require(throws: RocksDBError.self) {
                try db.write(batch, options: WriteOptions(sync: true, disableWAL: true))
            }
            #expect(error.code == .invalidArgument)
            #expect(try db.get([1]) == [1])
            #expect(try db.get([2]) == nil)
            #expect(try db.get([1], in: meta) == nil)
            #expect(try db.get([9], in: meta) == [9])
            #expect(try db.get([8], in: meta) == nil)

            try db.write(batch, options: WriteOptions(disableWAL: true))
            #expect(try db.get([1]) == nil)
            #expect(try db.get([2]) == [2])
            #expect(try db.get([1], in: meta) == [100])
            #expect(try db.get([9], in: meta) == nil)
            #expect(try db.get([8], in: meta) == [8])

            // Clearing forgets the families: the batch can then be written anywhere.
            batch.clear()
            batch.put([3], [3])
            let other = try RocksDB(path: directory + "/other")
            try other.write(batch)
            #expect(try other.get([3]) == [3])
        }
    }

    @Test func batchDeleteRangeInAFamily() throws {
        try withTemporaryDirectory { directory in
            let db = try RocksDB(path: directory + "/db", columnFamilies: ["meta"])
            let meta = try #require(try db.columnFamily(named: "meta"))
            for byte: UInt8 in 0..<10 {
                try db.put([byte], [byte])
                try db.put([byte], [byte], in: meta)
            }
            let batch = WriteBatch()
            try batch.deleteRange(from: [2], to: [5], in: meta)
            // An inverted range is empty and adds nothing.
            try batch.deleteRange(from: [9], to: [1], in: meta)
            try [UInt8]([7]).withUnsafeBytes { seven in
                try [UInt8]([8]).withUnsafeBytes { eight in
                    try batch.deleteRange(from: seven, to: eight, in: meta)
                }
            }
            #expect(batch.count == 2)
            try db.write(batch)
            #expect(try (0..<10).filter { try db.get([UInt8($0)], in: meta) != nil } == [0, 1, 5, 6, 8, 9])
            #expect(try (0..<10).filter { try db.get([UInt8($0)]) != nil } == Array(0..<10))
        }
    }

    @Test func reopenKeepsFamiliesAndTheirData() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/db"
            do {
                let db = try RocksDB(path: path, columnFamilies: ["meta"])
                let meta = try #require(try db.columnFamily(named: "meta"))
                let batch = WriteBatch()
                batch.put(Array("data"), [1])
                try batch.put(Array("offset"), [42], in: meta)
                try db.write(batch)
                // Writes without the write-ahead log survive only through the flush of every family.
                try db.put(Array("unlogged"), [2], options: WriteOptions(disableWAL: true))
                try db.put(Array("unlogged"), [3], in: meta, options: WriteOptions(disableWAL: true))
                try db.flush()
                db.close()
            }
            let db = try RocksDB(path: path, columnFamilies: ["meta"])
            #expect(try db.columnFamilyNames == ["default", "meta"])
            let meta = try #require(try db.columnFamily(named: "meta"))
            #expect(try db.get(Array("data")) == [1])
            #expect(try db.get(Array("offset"), in: meta) == [42])
            #expect(try db.get(Array("unlogged")) == [2])
            #expect(try db.get(Array("unlogged"), in: meta) == [3])
            #expect(try db.get(Array("offset")) == nil)
        }
    }

    @Test func openingWithoutNamingEveryFamilyOpensThemAll() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/db"
            do {
                let db = try RocksDB(path: path, columnFamilies: ["a", "b"])
                try db.put([1], [0xA], in: try #require(try db.columnFamily(named: "a")))
                try db.put([1], [0xB], in: try #require(try db.columnFamily(named: "b")))
            }
            do {
                let db = try RocksDB(path: path)
                #expect(try db.columnFamilyNames == ["default", "a", "b"])
                #expect(try db.get([1], in: try #require(try db.columnFamily(named: "b"))) == [0xB])
            }
            do {
                // Named ones first, then the others; a new one is created.
                let db = try RocksDB(path: path, columnFamilies: ["b", "c"])
                #expect(try db.columnFamilyNames == ["default", "b", "c", "a"])
                #expect(try db.get([1], in: try #require(try db.columnFamily(named: "a"))) == [0xA])
            }
            let db = try RocksDB(path: path)
            #expect(try db.columnFamilyNames == ["default", "a", "b", "c"])
        }
    }

    @Test func duplicateNamesAndTheDefaultNameAreOpenedOnce() throws {
        try withTemporaryDirectory { directory in
            let db = try RocksDB(path: directory + "/db", columnFamilies: ["meta", "default", "meta"])
            #expect(try db.columnFamilyNames == ["default", "meta"])
        }
    }

    @Test func missingFamilyWithoutCreateIfMissing() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/db"
            try RocksDB(path: path).close()
            var options = RocksDBOptions()
            options.createIfMissing = false
            let error = try #require(throws: RocksDBError.self) {
                try RocksDB(path: path, options: options, columnFamilies: ["meta"])
            }
            #expect(error.code == .invalidArgument)
            // Without the missing family, the database opens.
            #expect(try RocksDB(path: path, options: options).columnFamilyNames == ["default"])
        }
    }

    @Test func familyNameWithNULByte() throws {
        try withTemporaryDirectory { directory in
            let error = try #require(throws: RocksDBError.self) {
                try RocksDB(path: directory + "/db", columnFamilies: ["a\0b"])
            }
            #expect(error.code == .invalidArgument)
            let db = try RocksDB(path: directory + "/db")
            #expect(throws: RocksDBError.self) { try db.createColumnFamily(named: "a\0b") }
        }
    }

    @Test func iterationWithinAFamilySeesOnlyItsKeys() throws {
        try withTemporaryDirectory { directory in
            let db = try RocksDB(path: directory + "/db", columnFamilies: ["meta"])
            let meta = try #require(try db.columnFamily(named: "meta"))
            for byte: UInt8 in 0..<10 {
                if byte.isMultiple(of: 2) {
                    try db.put([byte], [byte])
                } else {
                    try db.put([byte], [byte], in: meta)
                }
            }
            try db.put([0x20, 1], [1], in: meta)
            try db.put([0x20, 2], [2])

            func keys(_ iterator: RocksDBIterator) throws -> [[UInt8]] {
                var keys: [[UInt8]] = []
                iterator.seekToFirst()
                while let key = iterator.key {
                    keys.append(key)
                    iterator.next()
                }
                try iterator.checkStatus()
                return keys
            }
            #expect(try keys(db.makeIterator(in: meta)) == [[1], [3], [5], [7], [9], [0x20, 1]])
            #expect(try keys(db.makeIterator()) == [[0], [2], [4], [6], [8], [0x20, 2]])
            #expect(try keys(db.makeIterator(in: meta, lowerBound: [2], upperBound: [7])) == [[3], [5]])
            #expect(try keys(db.makeIterator(in: meta, prefix: [0x20])) == [[0x20, 1]])

            var scanned: [[UInt8]] = []
            try db.scan(in: meta, from: [3], to: nil, reverse: true) { key, value in
                scanned.append(Array(key))
                #expect(Array(value) == [key.last!])
                return scanned.count < 3
            }
            #expect(scanned == [[0x20, 1], [9], [7]])
            scanned = []
            try db.scan(in: meta, prefix: [0x20]) { key, _ in
                scanned.append(Array(key))
                return true
            }
            #expect(scanned == [[0x20, 1]])
        }
    }

    @Test func closedDatabaseThrowsForFamilyOperations() throws {
        try withTemporaryDirectory { directory in
            let db = try RocksDB(path: directory + "/db", columnFamilies: ["meta"])
            let meta = try #require(try db.columnFamily(named: "meta"))
            try db.put([1], [1], in: meta)
            // An iterator keeps the database's files open past close, but not the family usable.
            let iterator = try db.makeIterator(in: meta)
            db.close()

            func expectClosed(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
                let error = #expect(throws: RocksDBError.self, sourceLocation: sourceLocation) { try body() }
                #expect(error?.code == .databaseClosed, sourceLocation: sourceLocation)
            }
            expectClosed { _ = try db.columnFamily(named: "meta") }
            expectClosed { _ = try db.columnFamilyNames }
            expectClosed { _ = try db.get([1], in: meta) }
            expectClosed { _ = try db.withValue(forKey: [1], in: meta) { $0 } }
            expectClosed { try db.put([1], [2], in: meta) }
            expectClosed { try db.delete([1], in: meta) }
            expectClosed { try db.deleteRange(from: [0], to: [9], in: meta) }
            expectClosed { _ = try db.makeIterator(in: meta) }
            expectClosed { try db.scan(in: meta, from: nil, to: nil) { _, _ in true } }
            expectClosed { try db.createColumnFamily(named: "new") }
            expectClosed { try db.dropColumnFamily(named: "meta") }
            let batch = WriteBatch()
            expectClosed { try batch.put([1], [2], in: meta) }
            expectClosed { try batch.delete([1], in: meta) }
            expectClosed { try batch.deleteRange(from: [0], to: [9], in: meta) }
            #expect(batch.isEmpty)

            iterator.seekToFirst()
            #expect(iterator.key == [1])
        }
    }

    @Test func familyOfAnotherDatabaseIsRefused() throws {
        try withTemporaryDirectory { directory in
            let db = try RocksDB(path: directory + "/db", columnFamilies: ["meta"])
            let other = try RocksDB(path: directory + "/other", columnFamilies: ["meta"])
            let otherMeta = try #require(try other.columnFamily(named: "meta"))

            let error = try #require(throws: RocksDBError.self) { try db.put([1], [1], in: otherMeta) }
            #expect(error.code == .invalidArgument)
            #expect(throws: RocksDBError.self) { try db.get([1], in: otherMeta) }
            #expect(throws: RocksDBError.self) { try db.makeIterator(in: otherMeta) }

            // A batch naming another database's family applies nothing, not even its default-family part.
            let batch = WriteBatch()
            batch.put([2], [2])
            try batch.put([2], [2], in: otherMeta)
            let writeError = try #require(throws: RocksDBError.self) { try db.write(batch) }
            #expect(writeError.code == .invalidArgument)
            #expect(try db.get([2]) == nil)
            #expect(try db.get([2], in: try #require(try db.columnFamily(named: "meta"))) == nil)
            try other.write(batch)
            #expect(try other.get([2], in: otherMeta) == [2])

            // The same path reopened is another database too.
            let path = directory + "/reopened"
            let first = try RocksDB(path: path, columnFamilies: ["meta"])
            let firstMeta = try #require(try first.columnFamily(named: "meta"))
            first.close()
            let second = try RocksDB(path: path)
            let reopenedError = try #require(throws: RocksDBError.self) { try second.put([1], [1], in: firstMeta) }
            #expect(reopenedError.code == .invalidArgument)
        }
    }

    @Test func createAndDropFamilies() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/db"
            do {
                let db = try RocksDB(path: path)
                let created = try db.createColumnFamily(named: "new")
                #expect(try db.columnFamilyNames == ["default", "new"])
                #expect(try db.columnFamily(named: "new") === created)
                try db.put([1], [1], in: created)
                #expect(try db.get([1], in: created) == [1])
                #expect(try db.get([1]) == nil)

                let exists = try #require(throws: RocksDBError.self) { try db.createColumnFamily(named: "new") }
                #expect(exists.code == .invalidArgument)
                let dropDefault = try #require(throws: RocksDBError.self) {
                    try db.dropColumnFamily(named: ColumnFamily.defaultName)
                }
                #expect(dropDefault.code == .invalidArgument)
                let dropMissing = try #require(throws: RocksDBError.self) { try db.dropColumnFamily(named: "missing") }
                #expect(dropMissing.code == .notFound)

                let iterator = try db.makeIterator(in: created)
                let pending = WriteBatch()
                pending.put([2], [2])
                try pending.put([2], [2], in: created)
                try db.dropColumnFamily(named: "new")
                #expect(try db.columnFamilyNames == ["default"])
                #expect(try db.columnFamily(named: "new") == nil)

                func expectDropped(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
                    let error = #expect(throws: RocksDBError.self, sourceLocation: sourceLocation) { try body() }
                    #expect(error?.code == .notFound, sourceLocation: sourceLocation)
                }
                expectDropped { _ = try db.get([1], in: created) }
                expectDropped { try db.put([1], [1], in: created) }
                expectDropped { _ = try db.makeIterator(in: created) }
                expectDropped { try WriteBatch().put([1], [1], in: created) }
                // A batch naming the dropped family applies nothing.
                expectDropped { try db.write(pending) }
                #expect(try db.get([2]) == nil)
                // An iterator made before still reads the dropped family.
                iterator.seekToFirst()
                #expect(iterator.key == [1])
                // Flushing skips it.
                try db.flush()

                let again = try db.createColumnFamily(named: "new")
                #expect(try db.get([1], in: again) == nil)
                try db.put([3], [3], in: again)
                try db.createColumnFamily(named: "other")
                try db.dropColumnFamily(named: "other")
            }
            let db = try RocksDB(path: path)
            #expect(try db.columnFamilyNames == ["default", "new"])
            let reopened = try #require(try db.columnFamily(named: "new"))
            #expect(try db.get([3], in: reopened) == [3])
            #expect(try db.get([1], in: reopened) == nil)
        }
    }

    @Test func dropWaitsForBatchWritesSoEachAppliesWholeOrNotAtAll() throws {
        try withTemporaryDirectory { directory in
            let db = try RocksDB(path: directory + "/db", columnFamilies: ["meta"])
            let meta = try #require(try db.columnFamily(named: "meta"))
            let writers = 4
            let applied = Counter()
            // `nil` for a batch that was applied.
            let outcomes = Mutex<[(key: [UInt8], error: RocksDBError?)]>([])
            let done = DispatchGroup()
            // Threads, not tasks: the drop must run while the writers are busy.
            for writer in 0..<writers {
                done.enter()
                Thread {
                    defer { done.leave() }
                    // Batches spanning both families, until the drop refuses one.
                    for i in 0..<1_000_000 {
                        let key = [UInt8(writer)] + withUnsafeBytes(of: UInt32(i).bigEndian, Array.init)
                        let batch = WriteBatch()
                        batch.put(key, [1])
                        do {
                            try batch.put(key, [1], in: meta)
                            batch.put(key + [0], [1])
                            try db.write(batch)
                            outcomes.withLock { $0.append((key, nil)) }
                            applied.increment()
                        } catch {
                            // Checked below, from the test's own task.
                            outcomes.withLock { $0.append((key, error as? RocksDBError)) }
                            return
                        }
                    }
                }.start()
            }
            while applied.value < 200 {
                usleep(1000)
            }
            try db.dropColumnFamily(named: "meta")
            done.wait()

            let all = outcomes.withLock { $0 }
            #expect(all.count(where: { $0.error == nil }) >= 200)
            #expect(all.compactMap(\.error?.code) == Array(repeating: .notFound, count: writers))
            for outcome in all {
                let expected: [UInt8]? = outcome.error == nil ? [1] : nil
                #expect(try db.get(outcome.key) == expected)
                #expect(try db.get(outcome.key + [0]) == expected)
            }
            #expect(try db.columnFamilyNames == ["default"])
        }
    }

    @Test func checkpointKeepsFamilies() throws {
        try withTemporaryDirectory { directory in
            let db = try RocksDB(path: directory + "/db", columnFamilies: ["meta"])
            let meta = try #require(try db.columnFamily(named: "meta"))
            // The checkpoint flushes every family, so writes without the write-ahead log are in it.
            try db.put([1], [2], in: meta, options: WriteOptions(disableWAL: true))
            try db.createCheckpoint(at: directory + "/checkpoint")
            let copy = try RocksDB(path: directory + "/checkpoint")
            #expect(try copy.get([1], in: try #require(try copy.columnFamily(named: "meta"))) == [2])
        }
    }

    @Test(arguments: [true, false])
    func atomicFlushOption(_ atomicFlush: Bool) throws {
        try withTemporaryDirectory { directory in
            var options = RocksDBOptions()
            #expect(options.atomicFlush)
            options.atomicFlush = atomicFlush
            let path = directory + "/db"
            let db = try RocksDB(path: path, options: options, columnFamilies: ["meta"])
            let optionsFile = try #require(
                try FileManager.default.contentsOfDirectory(atPath: path).first { $0.hasPrefix("OPTIONS-") }
            )
            let text = try String(contentsOfFile: path + "/" + optionsFile, encoding: .utf8)
            #expect(text.contains("atomic_flush=\(atomicFlush)"))
            let meta = try #require(try db.columnFamily(named: "meta"))
            try db.put([1], [1], in: meta, options: WriteOptions(disableWAL: true))
            try db.flush()
            db.close()
            let reopened = try RocksDB(path: path, options: options)
            #expect(try reopened.get([1], in: try #require(try reopened.columnFamily(named: "meta"))) == [1])
        }
    }
}

private final class Counter: Sendable {
    private let count = Atomic<Int>(0)

    var value: Int { self.count.load(ordering: .relaxed) }

    func increment() {
        self.count.add(1, ordering: .relaxed)
    }
}
