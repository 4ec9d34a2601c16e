import Foundation
import RocksDB
import Testing

@testable import KafkaStreams

/// Segments as key ranges of one RocksDB database.
@Suite struct RocksDBSegmentTests {
    private func withDatabase(_ body: (RocksDBKeyValueStore) throws -> Void) throws {
        let directory = ScratchDirectory("segments")
        defer { directory.remove() }
        let database = try RocksDBKeyValueStore(name: "db", path: directory.path + "/db", options: RocksDBOptions())
        defer { try? database.close() }
        try body(database)
    }

    @Test func prefixesSortAsSegmentIDsDo() {
        let ids: [Int64] = [.min, -300, -1, 0, 1, 2, 255, 256, 1_000_000, .max]
        let prefixes = ids.map(RocksDBSegment.prefix(of:))
        #expect(prefixes.allSatisfy { $0.count == RocksDBSegment.prefixSize })
        #expect(zip(prefixes, prefixes.dropFirst()).allSatisfy { ByteBTree.compare($0, $1) < 0 })
        for (id, prefix) in zip(ids, prefixes) {
            #expect(prefix.withUnsafeBytes { RocksDBSegment.id(ofPrefixed: $0) } == id)
        }
        #expect([UInt8](repeating: 0, count: 7).withUnsafeBytes { RocksDBSegment.id(ofPrefixed: $0) } == nil)
    }

    @Test func segmentsKeepTheirKeysApart() throws {
        try withDatabase { database in
            let zero = RocksDBSegment(name: "s.0", id: 0, database: database)
            let one = RocksDBSegment(name: "s.1", id: 1, database: database)
            let negative = RocksDBSegment(name: "s.-1", id: -1, database: database)
            try zero.put([1], [10])
            try zero.put([2], [20])
            try one.put([1], [11])
            try negative.put([0xFF], [99])

            #expect(try zero.get([1]) == [10])
            #expect(try one.get([1]) == [11])
            #expect(try one.get([2]) == nil)
            #expect(try zero.range(from: nil, to: nil, reverse: false).map(\.key) == [[1], [2]])
            #expect(try zero.range(from: nil, to: nil, reverse: true).map(\.value) == [[20], [10]])
            #expect(try zero.range(from: [2], to: nil, reverse: false).map(\.key) == [[2]])
            #expect(try zero.range(from: nil, to: [1], reverse: false).map(\.key) == [[1]])
            #expect(try zero.range(from: [2], to: [1], reverse: false).isEmpty)
            #expect(try negative.range(from: nil, to: nil, reverse: false).map(\.key) == [[0xFF]])
            #expect(try zero.approximateNumEntries() == 2)
            #expect(try RocksDBSegment.ids(in: database) == [-1, 0, 1])

            #expect(try zero.delete([1]) == [10])
            #expect(try zero.delete([1]) == nil)
            try zero.removeAll()
            #expect(try zero.range(from: nil, to: nil, reverse: false).isEmpty)
            #expect(try one.get([1]) == [11])
            #expect(try RocksDBSegment.ids(in: database) == [-1, 1])
        }
    }

    @Test func theLargestSegmentIDHasAnOpenEnd() throws {
        try withDatabase { database in
            let last = RocksDBSegment(name: "s.max", id: .max, database: database)
            try last.put([0xFF, 0xFF], [1])
            #expect(try last.range(from: nil, to: nil, reverse: false).map(\.key) == [[0xFF, 0xFF]])
            #expect(try RocksDBSegment.ids(in: database) == [.max])
            try last.removeAll()
            #expect(try RocksDBSegment.ids(in: database) == [])
        }
    }

    /// With in-place updates (``RocksDBSharedResources``), a key written again after its segment
    /// was dropped must be read (the reason ``RocksDBSegment/removeAll()`` deletes key by key).
    @Test func aKeyWrittenAgainAfterItsSegmentWasDroppedIsRead() throws {
        let directory = ScratchDirectory("segments")
        defer { directory.remove() }
        var options = RocksDBOptions()
        options.inplaceUpdateSupport = true
        let database = try RocksDBKeyValueStore(name: "db", path: directory.path + "/db", options: options)
        defer { try? database.close() }
        let segment = RocksDBSegment(name: "s.3", id: 3, database: database)
        try segment.put([7], [1, 1, 1, 1])
        try segment.removeAll()
        try segment.put([7], [2, 2, 2, 2])
        #expect(try segment.get([7]) == [2, 2, 2, 2])
    }

    @Test func anExpiredSegmentGoesInOneRangeDeletion() throws {
        try withDatabase { database in
            let expired = RocksDBSegment(name: "s.4", id: 4, database: database)
            let live = RocksDBSegment(name: "s.5", id: 5, database: database)
            for key in 0..<100 { try expired.put([UInt8(key)], [1]) }
            try live.put([0], [2])
            try expired.dropExpired()
            #expect(try expired.range(from: nil, to: nil, reverse: false).isEmpty)
            #expect(try expired.get([7]) == nil)
            #expect(try live.get([0]) == [2])
            #expect(try RocksDBSegment.ids(in: database) == [5])
        }
    }

    /// A store's `removeAll()` (a restoration starting over) resets its stream time, so the same
    /// keys come again: they must be read, with in-place updates as stream tasks open RocksDB.
    @Test func keysWrittenAgainAfterTheStoreWasClearedAreRead() throws {
        let directory = ScratchDirectory("segments")
        defer { directory.remove() }
        var options = RocksDBOptions()
        options.inplaceUpdateSupport = true
        let store = try SegmentedBytesStore<WindowKeySchema>(
            name: "w", retentionPeriod: 600_000, segmentInterval: 300_000,
            backend: .rocksDB(directory: directory.path, options: options))
        defer { try? store.close() }
        let key = Array("k".utf8) + bigEndianBytes(Int64(60_000)) + [0, 0, 0, 0]
        let later = Array("k".utf8) + bigEndianBytes(Int64(3_600_000)) + [0, 0, 0, 0]
        try store.put(key, [1, 1, 1, 1])
        try store.put(later, [3, 3, 3, 3])  // segment 0 expires
        #expect(try store.get(key) == nil)
        try store.removeAll()
        try store.put(key, [2, 2, 2, 2])
        #expect(try store.get(key) == [2, 2, 2, 2])
        try store.put(later, [4, 4, 4, 4])
        #expect(try store.get(later) == [4, 4, 4, 4])
    }
}
