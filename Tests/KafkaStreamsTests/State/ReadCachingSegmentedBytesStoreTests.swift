import Foundation
import Testing

@testable import KafkaStreams

/// The stream thread's read cache in front of RocksDB window and session stores.
@Suite struct ReadCachingSegmentedBytesStoreTests {
    /// A window store's segments on RocksDB as tasks open them (retention 10 s, 5 s segments), its
    /// directory, and a cache over it.
    func make() throws -> (inner: SegmentedBytesStore<WindowKeySchema>, cache: ReadCachingSegmentedBytesStore, directory: String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("segment-cache-\(UUID().uuidString)").path
        var config = StreamsConfig(applicationID: "t", bootstrapServers: "unused:9092")
        config.stateDir = path
        let inner = try SegmentedBytesStore<WindowKeySchema>(
            name: "w", retentionPeriod: 10_000, segmentInterval: 5_000,
            backend: .rocksDB(directory: path, options: RocksDBSharedResources.options(for: config, store: "w", inplaceUpdates: true)))
        return (inner, ReadCachingSegmentedBytesStore(inner: inner, budget: ReadCacheBudget(capacity: 1 << 22)), path)
    }

    func key(_ key: UInt8, at windowStart: Int64) -> [UInt8] {
        WindowKeySchema.storeKey([key], windowStart: windowStart, sequenceNumber: 0)
    }

    @Test func readsAfterWritesComeFromTheCacheAndWritesReachTheSegmentsAtOnce() throws {
        let (inner, cache, directory) = try make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try cache.put(key(1, at: 1_000), [10])
        #expect(try inner.get(key(1, at: 1_000)) == [10], "written through")
        #expect(try cache.get(key(1, at: 1_000)) == [10])
        try cache.put(key(1, at: 1_000), [11])
        #expect(try cache.get(key(1, at: 1_000)) == [11])
        #expect(try cache.get(key(2, at: 1_000)) == nil)
        #expect(try cache.get(key(2, at: 1_000)) == nil)
        #expect(cache.hits == 3 && cache.misses == 1, "one miss: the absent key, then known absent")
        #expect(try cache.delete(key(1, at: 1_000)) == [11])
        #expect(try cache.get(key(1, at: 1_000)) == nil)
        #expect(try inner.get(key(1, at: 1_000)) == nil)
    }

    @Test func anExpiredKeyReadsAsAbsentThoughTheCacheHeldIt() throws {
        let (inner, cache, directory) = try make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try cache.put(key(1, at: 1_000), [10])
        #expect(try cache.get(key(1, at: 1_000)) == [10])
        // Stream time 30 s: everything before 20 s has expired and its segments are dropped.
        try cache.put(key(2, at: 30_000), [20])
        #expect(try inner.isReadable(key(1, at: 1_000)) == false)
        #expect(try cache.get(key(1, at: 1_000)) == nil)
        #expect(try inner.get(key(1, at: 1_000)) == nil)
        #expect(try cache.get(key(2, at: 30_000)) == [20])
    }

    @Test func aWriteTheStoreDropsAsExpiredIsNeverReadBack() throws {
        let (inner, cache, directory) = try make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try cache.put(key(2, at: 30_000), [20])
        try cache.put(key(1, at: 1_000), [10])
        #expect(inner.expiredRecordsDropped == 1)
        #expect(try cache.get(key(1, at: 1_000)) == nil)
    }

    @Test func removeAllEmptiesTheCacheAndOldTimesAreReadableAgain() throws {
        let (inner, cache, directory) = try make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try cache.put(key(1, at: 1_000), [10])
        try cache.put(key(2, at: 30_000), [20])
        #expect(try cache.get(key(2, at: 30_000)) == [20])
        try cache.removeAll()
        #expect(try cache.get(key(2, at: 30_000)) == nil)
        #expect(inner.observedStreamTime == -1)
        try cache.put(key(1, at: 1_000), [12])
        #expect(try cache.get(key(1, at: 1_000)) == [12])
        #expect(try inner.get(key(1, at: 1_000)) == [12])
    }

    @Test func rangeReadsAndTheStoreUnderTheLayersReachTheSegments() throws {
        let (inner, cache, directory) = try make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try cache.put(key(1, at: 1_000), [10])
        try cache.put(key(1, at: 6_000), [11])
        #expect(try cache.range(from: nil, to: nil, reverse: false).map(\.value) == [[10], [11]])
        #expect(ChangeLoggingKeyValueBytesStore.unwrap(cache) === inner)
    }

    @Test func aClosedStoreFailsReadsWithATypedError() throws {
        let (_, cache, directory) = try make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try cache.put(key(1, at: 1_000), [10])
        try cache.close()
        #expect(throws: StreamsError.self) { try cache.get(key(1, at: 1_000)) }
    }
}
