import Foundation
import Testing

@testable import KafkaStreams

/// Session stores, in memory and in RocksDB: the same suite on both engines.
@Suite struct SessionStoreTests {
    /// Ten-minute retention: segments of five minutes (Kafka's default, half the retention).
    static let retention = Duration.seconds(600)
    static let minute: Int64 = 60_000

    private func makeStore<K, V>(
        _ engine: StoreEngine, _ directory: ScratchDirectory, key: Serde<K>, value: Serde<V>
    ) throws -> SessionStore<K, V> {
        try Stores.sessionStoreBuilder(engine.sessionStore("sessions", retention: Self.retention), key: key, value: value)
            .build(directory: directory.path)
    }

    private func session(_ key: String, _ start: Int64, _ end: Int64) -> Windowed<String> {
        Windowed(key: key, start: start, end: end)
    }

    @Test(arguments: StoreEngine.allCases)
    func putFetchSessionAndRemove(_ engine: StoreEngine) throws {
        let directory = ScratchDirectory()
        defer { directory.remove() }
        let store = try makeStore(engine, directory, key: .string, value: .int64)
        defer { try? store.close() }
        #expect(store.isPersistent == (engine == .rocksDB))

        try store.put(session("a", 0, 10), 1)
        try store.put(session("a", 100, 200), 2)
        try store.put(session("b", 0, 10), 3)

        #expect(try store.fetchSession("a", sessionStart: 0, sessionEnd: 10) == 1)
        #expect(try store.fetchSession("a", sessionStart: 0, sessionEnd: 11) == nil)
        #expect(try store.fetchSession("c", sessionStart: 0, sessionEnd: 10) == nil)
        #expect(try store.fetch("a") == [kv(session("a", 0, 10), 1), kv(session("a", 100, 200), 2)])
        #expect(try store.backwardFetch("a").map(\.value) == [2, 1])
        #expect(try store.fetch(keyFrom: "a", keyTo: "b").map(\.value) == [1, 2, 3])
        #expect(try store.backwardFetch(keyFrom: nil, keyTo: nil).map(\.value) == [3, 2, 1])

        try store.put(session("a", 0, 10), 5)
        #expect(try store.fetchSession("a", sessionStart: 0, sessionEnd: 10) == 5)
        try store.remove(session("a", 0, 10))
        #expect(try store.fetchSession("a", sessionStart: 0, sessionEnd: 10) == nil)
        try store.put(session("a", 100, 200), nil)
        #expect(try store.fetch("a").isEmpty)
        #expect(try store.fetch("b").map(\.value) == [3])
    }

    /// findSessions returns the sessions that end at or after the earliest end and start at or
    /// before the latest start: the ones a record at `t` merges with for a gap `g` are
    /// `findSessions(key, t - g, t + g)`.
    @Test(arguments: StoreEngine.allCases)
    func findSessionsWithOverlappingAndAdjacentSessions(_ engine: StoreEngine) throws {
        let directory = ScratchDirectory()
        defer { directory.remove() }
        let store = try makeStore(engine, directory, key: .string, value: .string)
        defer { try? store.close() }

        try store.put(session("k", 0, 100), "s1")
        try store.put(session("k", 150, 200), "s2")  // adjacent to a record at 250 with gap 50
        try store.put(session("k", 300, 400), "s3")
        try store.put(session("k", 1_000, 1_000), "s4")  // a single-record session
        try store.put(session("k2", 150, 200), "other key")
        try store.put(session("j", 150, 200), "before")

        func find(_ earliestEnd: Int64, _ latestStart: Int64) throws -> [String] {
            try store.findSessions("k", earliestSessionEndTime: earliestEnd, latestSessionStartTime: latestStart).map(\.value)
        }
        #expect(try find(200, 300) == ["s2", "s3"])  // both bounds inclusive
        #expect(try find(201, 299) == [])
        #expect(try find(50, 160) == ["s1", "s2"])
        #expect(try find(0, .max) == ["s1", "s2", "s3", "s4"])
        #expect(try find(1_000, 1_000) == ["s4"])
        // Earliest end after latest start: sessions spanning the gap between them.
        #expect(try find(350, 320) == ["s3"])
        #expect(
            try store.backwardFindSessions("k", earliestSessionEndTime: 0, latestSessionStartTime: .max).map(\.value)
                == ["s4", "s3", "s2", "s1"])

        let found = try store.findSessions("k", earliestSessionEndTime: 150, latestSessionStartTime: 150)
        #expect(found.map(\.key) == [session("k", 150, 200)])
        #expect(found.first?.key.window == TimeWindow(start: 150, end: 200))

        // Key ranges: by serialized key, then end.
        let range = try store.findSessions(keyFrom: "j", keyTo: "k", earliestSessionEndTime: 150, latestSessionStartTime: 350)
        #expect(range.map(\.value) == ["before", "s2", "s3"])
        #expect(
            try store.backwardFindSessions(keyFrom: "k", keyTo: nil, earliestSessionEndTime: 150, latestSessionStartTime: 200)
                .map(\.value) == ["other key", "s2"])
        #expect(try store.findSessions(keyFrom: "k2", keyTo: "j", earliestSessionEndTime: 0, latestSessionStartTime: .max).isEmpty)
    }

    @Test(arguments: StoreEngine.allCases)
    func storeKeysHaveKafkasSessionLayout(_ engine: StoreEngine) throws {
        let directory = ScratchDirectory()
        defer { directory.remove() }
        let store = try makeStore(engine, directory, key: .string, value: .int64)
        defer { try? store.close() }
        try store.put(session("key", 1_000, 5_000), 9)

        let entries = try store.segments.range(from: nil, to: nil, reverse: false)
        #expect(entries.count == 1)
        #expect(entries.first?.key == Array("key".utf8) + bigEndianBytes(Int64(5_000)) + bigEndianBytes(Int64(1_000)))
        #expect(entries.first?.value == bigEndianBytes(Int64(9)))
    }

    @Test(arguments: StoreEngine.allCases)
    func sessionsExpireBySessionEndAndSegmentsAreDropped(_ engine: StoreEngine) throws {
        let directory = ScratchDirectory()
        defer { directory.remove() }
        let store = try makeStore(engine, directory, key: .string, value: .int64)
        defer { try? store.close() }

        // A long session that starts early but ends late lives in the segment of its end.
        try store.put(session("a", 0, Self.minute), 1)  // segment 0
        try store.put(session("a", 0, 6 * Self.minute), 2)  // segment 1
        try store.put(session("b", 7 * Self.minute, 11 * Self.minute), 3)  // segment 2
        #expect(store.segments.segmentIDs == [0, 1, 2])
        // Observed end 11 min: sessions that ended at or before 1 min have expired.
        #expect(try store.fetch("a").map(\.value) == [2])
        #expect(try store.fetchSession("a", sessionStart: 0, sessionEnd: Self.minute) == nil)

        try store.put(session("b", 15 * Self.minute, 16 * Self.minute), 4)  // segment 3; expires up to 6 min
        #expect(store.segments.segmentIDs == [1, 2, 3])
        #expect(try store.fetch("a").isEmpty)
        #expect(try store.fetch(keyFrom: nil, keyTo: nil).map(\.value) == [3, 4])
        if engine == .rocksDB {
            // Segment 0's keys are deleted from the store's database.
            #expect(try store.segments.idsInDatabase() == [1, 2, 3])
        }

        // A session that ended before the retention period is not written.
        try store.put(session("c", 0, 5 * Self.minute), 5)
        #expect(store.segments.expiredRecordsDropped == 1)
        #expect(try store.fetch("c").isEmpty)
    }
}
