import Foundation
import RocksDB
import Testing

@testable import KafkaStreams

/// Window stores, in memory and in RocksDB: the same suite on both engines.
@Suite struct WindowStoreTests {
    /// Ten-minute retention, one-minute windows: segments of five minutes (Kafka's default,
    /// half the retention).
    static let retention = Duration.seconds(600)
    static let size = Duration.seconds(60)
    static let minute: Int64 = 60_000

    private func makeStore<K, V>(
        _ engine: StoreEngine, _ directory: ScratchDirectory, key: Serde<K>, value: Serde<V>,
        retainDuplicates: Bool = false
    ) throws -> WindowStore<K, V> {
        try Stores.windowStoreBuilder(
            engine.windowStore("windows", retention: Self.retention, windowSize: Self.size, retainDuplicates: retainDuplicates),
            key: key, value: value
        ).build(directory: directory.path)
    }

    @Test(arguments: StoreEngine.allCases)
    func putAndFetchByKeyAndTimeRange(_ engine: StoreEngine) throws {
        let directory = ScratchDirectory()
        defer { directory.remove() }
        let store = try makeStore(engine, directory, key: .string, value: .int64)
        defer { try? store.close() }
        #expect(store.isPersistent == (engine == .rocksDB))
        #expect(store.retentionPeriod == 600_000)
        #expect(store.windowSize == Self.minute)

        try store.put("a", 1, windowStart: 0)
        try store.put("a", 2, windowStart: Self.minute)
        try store.put("a", 3, windowStart: 2 * Self.minute)
        try store.put("b", 10, windowStart: Self.minute)

        #expect(try store.fetch("a", windowStart: Self.minute) == 2)
        #expect(try store.fetch("a", windowStart: 30_000) == nil)
        #expect(try store.fetch("c", windowStart: 0) == nil)
        #expect(try store.fetch("a", timeFrom: 0, timeTo: 2 * Self.minute) == [kv(0, 1), kv(Self.minute, 2), kv(2 * Self.minute, 3)])
        #expect(try store.fetch("a", timeFrom: 1, timeTo: 2 * Self.minute - 1) == [kv(Self.minute, 2)])
        #expect(try store.fetch("a", timeFrom: 2 * Self.minute, timeTo: 0) == [])
        #expect(try store.backwardFetch("a", timeFrom: 0, timeTo: .max) == [kv(2 * Self.minute, 3), kv(Self.minute, 2), kv(0, 1)])
        #expect(try store.fetch("b", timeFrom: 0, timeTo: .max) == [kv(Self.minute, 10)])

        // Overwrite, then delete with nil.
        try store.put("a", 20, windowStart: Self.minute)
        #expect(try store.fetch("a", windowStart: Self.minute) == 20)
        try store.put("a", nil, windowStart: Self.minute)
        #expect(try store.fetch("a", windowStart: Self.minute) == nil)
        #expect(try store.fetch("a", timeFrom: 0, timeTo: .max).map(\.key) == [0, 2 * Self.minute])
    }

    @Test(arguments: StoreEngine.allCases)
    func keyRangeFetchIsOrderedBySerializedKeyThenTime(_ engine: StoreEngine) throws {
        let directory = ScratchDirectory()
        defer { directory.remove() }
        let store = try makeStore(engine, directory, key: .string, value: .string)
        defer { try? store.close() }

        // Written out of order, across two segments (five minutes each).
        try store.put("c", "c@1", windowStart: Self.minute)
        try store.put("b", "b@6", windowStart: 6 * Self.minute)
        try store.put("a", "a@6", windowStart: 6 * Self.minute)
        try store.put("aa", "aa@0", windowStart: 0)
        try store.put("b", "b@0", windowStart: 0)
        try store.put("a", "a@0", windowStart: 0)

        func windowed(_ key: String, _ minutes: Int64) -> Windowed<String> {
            Windowed(key: key, start: minutes * Self.minute, end: (minutes + 1) * Self.minute)
        }

        let ab = try store.fetch(keyFrom: "a", keyTo: "b", timeFrom: 0, timeTo: .max)
        #expect(ab.map(\.key) == [windowed("a", 0), windowed("a", 6), windowed("aa", 0), windowed("b", 0), windowed("b", 6)])
        #expect(ab.map(\.value) == ["a@0", "a@6", "aa@0", "b@0", "b@6"])
        #expect(
            try store.backwardFetch(keyFrom: "a", keyTo: "b", timeFrom: 0, timeTo: .max).map(\.value)
                == ["b@6", "b@0", "aa@0", "a@6", "a@0"])

        // One key: "a" only, not "aa" (whose bytes lie inside the range of "a").
        #expect(try store.fetch(keyFrom: "a", keyTo: "a", timeFrom: 0, timeTo: .max).map(\.value) == ["a@0", "a@6"])
        #expect(try store.fetch("a", timeFrom: 0, timeTo: .max).map(\.value) == ["a@0", "a@6"])
        // Time-bounded, open-ended, and empty ranges.
        #expect(try store.fetch(keyFrom: "aa", keyTo: nil, timeFrom: 0, timeTo: 5 * Self.minute).map(\.value) == ["aa@0", "b@0", "c@1"])
        #expect(try store.fetch(keyFrom: nil, keyTo: "aa", timeFrom: 6 * Self.minute, timeTo: .max).map(\.value) == ["a@6"])
        #expect(try store.fetch(keyFrom: "b", keyTo: "a", timeFrom: 0, timeTo: .max).isEmpty)

        #expect(try store.fetchAll(timeFrom: Self.minute, timeTo: 6 * Self.minute).map(\.value) == ["a@6", "b@6", "c@1"])
        #expect(try store.all().map(\.value) == ["a@0", "a@6", "aa@0", "b@0", "b@6", "c@1"])
        #expect(try store.backwardAll().map(\.value) == ["c@1", "b@6", "b@0", "aa@0", "a@6", "a@0"])
        #expect(try store.backwardFetchAll(timeFrom: 0, timeTo: 0).map(\.value) == ["b@0", "aa@0", "a@0"])
    }

    /// A key that is a byte prefix of `keyTo` sorts before it, but its store key
    /// `[key][start][seq]` can sort after `[keyTo][start][seq]`: the range must still find it.
    @Test(arguments: StoreEngine.allCases)
    func keyRangeFindsKeysThatArePrefixesOfTheUpperKey(_ engine: StoreEngine) throws {
        let directory = ScratchDirectory()
        defer { directory.remove() }
        let store = try makeStore(engine, directory, key: .bytes, value: .string)
        defer { try? store.close() }
        let late: Int64 = 1 << 56  // first timestamp byte 0x01, above the 0x00 of keyTo's second byte
        try store.put([0x61], "prefix", windowStart: late)
        try store.put([0x61, 0x00], "upper", windowStart: late)
        try store.put([0x61, 0x00, 0x00], "beyond", windowStart: late)

        let found = try store.fetch(keyFrom: [0x60], keyTo: [0x61, 0x00], timeFrom: 0, timeTo: .max)
        #expect(found.map(\.value) == ["prefix", "upper"])
        #expect(try store.fetch(keyFrom: [0x61, 0x00], keyTo: nil, timeFrom: 0, timeTo: .max).map(\.value) == ["upper", "beyond"])
    }

    @Test(arguments: StoreEngine.allCases)
    func duplicatesAreRetainedWithSequenceNumbers(_ engine: StoreEngine) throws {
        let directory = ScratchDirectory()
        defer { directory.remove() }
        let store = try makeStore(engine, directory, key: .string, value: .string, retainDuplicates: true)
        defer { try? store.close() }

        try store.put("k", "first", windowStart: 0)
        try store.put("k", "second", windowStart: 0)
        try store.put("k", "later", windowStart: Self.minute)
        try store.put("k", nil, windowStart: 0)  // no single entry to delete: ignored

        #expect(try store.fetch("k", timeFrom: 0, timeTo: 0).map(\.value) == ["first", "second"])
        #expect(try store.fetch("k", windowStart: 0) == "first")
        #expect(try store.fetch("k", timeFrom: 0, timeTo: .max).map(\.value) == ["first", "second", "later"])
        #expect(try store.backwardFetch("k", timeFrom: 0, timeTo: .max).map(\.value) == ["later", "second", "first"])
        // Sequence numbers 1, 2, 3 in the last four key bytes, as Kafka Streams counts them.
        let keys = try store.segments.range(from: nil, to: nil, reverse: false).map(\.key)
        #expect(keys.map { Array($0.suffix(4)) } == [bigEndianBytes(UInt32(1)), bigEndianBytes(UInt32(2)), bigEndianBytes(UInt32(3))])
    }

    @Test(arguments: StoreEngine.allCases)
    func storeKeysHaveKafkasWindowLayout(_ engine: StoreEngine) throws {
        let directory = ScratchDirectory()
        defer { directory.remove() }
        let store = try makeStore(engine, directory, key: .string, value: .int64)
        defer { try? store.close() }
        let start: Int64 = 1_700_000_040_000
        try store.put("key", 7, windowStart: start)

        let entries = try store.segments.range(from: nil, to: nil, reverse: false)
        #expect(entries.count == 1)
        #expect(entries.first?.key == Array("key".utf8) + bigEndianBytes(start) + [0, 0, 0, 0])
        #expect(entries.first?.value == bigEndianBytes(Int64(7)))
        // The segment is named `<store>.<segment start>`, as Kafka Streams names them.
        let segment = start / 300_000
        #expect(store.segments.segmentIDs == [segment])
        #expect(store.segments.segmentName(segment) == "windows.\(segment * 300_000)")
        if engine == .rocksDB {
            // Every segment is a key range of the store's one database (RocksDBSegment).
            #expect(directory.exists("\(SegmentedBytesStore<WindowKeySchema>.databaseName)/CURRENT"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("windows.") } == [])
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func expiredSegmentsAreDroppedWhole(_ engine: StoreEngine) throws {
        let directory = ScratchDirectory()
        defer { directory.remove() }
        let store = try makeStore(engine, directory, key: .string, value: .int64)
        defer { try? store.close() }
        let segmentInterval: Int64 = 300_000  // max(retention / 2, 60 s)
        #expect(store.segments.segmentInterval == segmentInterval)

        try store.put("a", 0, windowStart: 0)  // segment 0
        try store.put("a", 1, windowStart: 4 * Self.minute)  // segment 0
        try store.put("a", 2, windowStart: 5 * Self.minute)  // segment 1
        try store.put("a", 3, windowStart: 10 * Self.minute)  // segment 2: window 0 is now out of retention
        #expect(store.segments.segmentIDs == [0, 1, 2])
        #expect(try store.fetch("a", windowStart: 0) == nil)
        #expect(try store.fetch("a", timeFrom: 0, timeTo: .max).map(\.value) == [1, 2, 3])
        #expect(try store.all().map(\.value) == [1, 2, 3])

        // Observed time 15 min: everything up to 5 min has expired, and segment 0 (0..<5 min) goes.
        try store.put("b", 4, windowStart: 15 * Self.minute)
        #expect(store.segments.segmentIDs == [1, 2, 3])
        #expect(try store.fetch("a", timeFrom: 0, timeTo: .max).map(\.value) == [3])
        #expect(try store.fetchAll(timeFrom: 0, timeTo: .max).map(\.value) == [3, 4])
        if engine == .rocksDB {
            // Segment 0's keys are deleted from the database, not just hidden by the retention.
            #expect(try store.segments.idsInDatabase() == [1, 2, 3])
        }

        // A window older than the retention period is not written.
        try store.put("a", 99, windowStart: 5 * Self.minute)
        try store.put("c", 99, windowStart: 0)
        #expect(store.segments.expiredRecordsDropped == 2)
        #expect(try store.fetch("c", timeFrom: 0, timeTo: .max).isEmpty)
        #expect(store.segments.segmentIDs == [1, 2, 3])

        // Much later: all old segments go at once.
        try store.put("d", 5, windowStart: 60 * Self.minute)
        #expect(store.segments.segmentIDs == [12])
        #expect(try store.all().map(\.value) == [5])
        if engine == .rocksDB {
            #expect(try store.segments.idsInDatabase() == [12])
        }

        // Cleared (as for a restoration from scratch), old times are written again, and expire again.
        try store.segments.removeAll()
        try store.put("e", 6, windowStart: 0)
        #expect(store.segments.segmentIDs == [0])
        try store.put("e", 7, windowStart: 15 * Self.minute)
        #expect(store.segments.segmentIDs == [3])
        #expect(try store.all().map(\.value) == [7])
    }

    @Test func persistentStoreReopensItsSegments() throws {
        let directory = ScratchDirectory()
        defer { directory.remove() }
        let builder = Stores.windowStoreBuilder(
            Stores.persistentWindowStore("windows", retentionPeriod: Self.retention, windowSize: Self.size, retainDuplicates: false),
            key: .string, value: .int64)
        do {
            let store = try builder.build(directory: directory.path)
            try store.put("a", 1, windowStart: 0)
            try store.put("a", 2, windowStart: 7 * Self.minute)
            try store.flush()
            try store.close()
        }
        let reopened = try builder.build(directory: directory.path)
        defer { try? reopened.close() }
        #expect(reopened.segments.segmentIDs == [0, 1])
        #expect(try reopened.fetch("a", timeFrom: 0, timeTo: .max).map(\.value) == [1, 2])
        // Writing later windows expires the reopened segments as usual.
        try reopened.put("a", 3, windowStart: 20 * Self.minute)
        #expect(reopened.segments.segmentIDs == [4])
    }

    @Test func invalidRetentionIsATopologyError() throws {
        let builder = Stores.windowStoreBuilder(
            Stores.inMemoryWindowStore("w", retentionPeriod: .seconds(10), windowSize: .seconds(60), retainDuplicates: false),
            key: .string, value: .int64)
        #expect(throws: TopologyError.self) { _ = try builder.build() }
        let topology = Topology()
        #expect(throws: TopologyError.self) { try topology.addStateStore(builder) }
    }

    @Test func persistentStoreNeedsADirectory() throws {
        let builder = Stores.windowStoreBuilder(
            Stores.persistentWindowStore("w", retentionPeriod: Self.retention, windowSize: Self.size, retainDuplicates: false),
            key: .string, value: .int64)
        #expect(throws: StreamsError.self) { _ = try builder.build() }
    }
}

/// The earlier RocksDB layout of window stores (one database per segment,
/// `<directory>/<store>.<segment start>`, keys without a segment prefix) is still read.
@Suite struct WindowStoreEarlierLayoutTests {
    @Test func segmentDatabasesOfTheEarlierLayoutAreReadThenDestroyedOnExpiry() throws {
        let directory = ScratchDirectory()
        defer { directory.remove() }
        let minute: Int64 = 60_000
        let builder = Stores.windowStoreBuilder(
            Stores.persistentWindowStore("windows", retentionPeriod: .seconds(600), windowSize: .seconds(60), retainDuplicates: false),
            key: .string, value: .int64)
        // What the earlier layout wrote for `put("a", 7, windowStart: 1 min)`: segment 0 of 5 min.
        do {
            let legacy = try RocksDBKeyValueStore(
                name: "windows.0", path: directory.path + "/windows.0", options: RocksDBOptions())
            try legacy.put(Array("a".utf8) + bigEndianBytes(minute) + [0, 0, 0, 0], bigEndianBytes(Int64(7)))
            try legacy.close()
        }
        let store = try builder.build(directory: directory.path)
        defer { try? store.close() }
        #expect(store.segments.segmentIDs == [0])
        #expect(try store.fetch("a", windowStart: minute) == 7)
        // A later window of the same segment goes to the same (earlier-layout) segment.
        try store.put("a", 8, windowStart: 2 * minute)
        #expect(try store.fetch("a", timeFrom: 0, timeTo: .max).map(\.value) == [7, 8])
        #expect(try store.segments.idsInDatabase() == [])

        // New segments go to the store's database; segment 0 expires and its database is destroyed.
        try store.put("a", 9, windowStart: 15 * minute)
        #expect(store.segments.segmentIDs == [3])
        #expect(try store.segments.idsInDatabase() == [3])
        #expect(!directory.exists("windows.0"))
        #expect(try store.fetch("a", timeFrom: 0, timeTo: .max).map(\.value) == [9])
    }
}
