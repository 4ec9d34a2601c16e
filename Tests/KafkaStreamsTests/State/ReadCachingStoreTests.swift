import Foundation
import Testing

@testable import KafkaStreams

/// The stream thread's read cache in front of RocksDB key-value stores.
@Suite struct ReadCachingStoreTests {
    /// A RocksDB store as tasks open it (in-place updates on), its directory, and a cache over it.
    func make(budget: Int = 1 << 20) throws -> (inner: RocksDBKeyValueStore, cache: ReadCachingKeyValueBytesStore, budget: ReadCacheBudget, directory: String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("read-cache-\(UUID().uuidString)").path
        var config = StreamsConfig(applicationID: "t", bootstrapServers: "unused:9092")
        config.stateDir = path
        let inner = try RocksDBKeyValueStore(
            name: "s", path: path, options: RocksDBSharedResources.options(for: config, store: "s", inplaceUpdates: true))
        let readBudget = ReadCacheBudget(capacity: budget)
        return (inner, ReadCachingKeyValueBytesStore(inner: inner, budget: readBudget), readBudget, path)
    }

    @Test func readsAfterWritesComeFromTheCacheAndWritesReachRocksDBAtOnce() throws {
        let (inner, cache, _, directory) = try make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try cache.put([1], [10])
        #expect(try inner.get([1]) == [10], "written through")
        #expect(try cache.get([1]) == [10])
        #expect(cache.hits == 1 && cache.misses == 0)
        try cache.put([1], [11])
        #expect(try cache.get([1]) == [11])
        #expect(try inner.get([1]) == [11])
        #expect(try cache.delete([1]) == [11])
        #expect(try cache.get([1]) == nil)
        #expect(try inner.get([1]) == nil)
        #expect(cache.hits == 3 && cache.misses == 0, "a deleted key is known absent")
    }

    @Test func aMissReadsRocksDBOnceThenHits() throws {
        let (inner, cache, _, directory) = try make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try inner.put([7], [70])
        #expect(try cache.get([7]) == [70])
        #expect(try cache.get([7]) == [70])
        #expect(try cache.get([8]) == nil)
        #expect(try cache.get([8]) == nil)
        #expect(cache.misses == 2 && cache.hits == 2)
    }

    @Test func aReusedCallerBufferDoesNotChangeTheCachedValue() throws {
        let (_, cache, _, directory) = try make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var key: [UInt8] = [1]
        var value: [UInt8] = [1, 2, 3]
        try cache.put(key, value)
        key[0] = 2
        value[0] = 9
        #expect(try cache.get([1]) == [1, 2, 3])
        #expect(try cache.get([2]) == nil)
    }

    @Test func entriesStayWithinTheBudgetAndAreRefundedAtClose() throws {
        let entry = 16 + ReadCachingKeyValueBytesStore.entryOverhead
        let (inner, cache, budget, directory) = try make(budget: 10 * entry)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for index in 0..<100 {
            try cache.put(withUnsafeBytes(of: UInt64(index).bigEndian, Array.init), Array(repeating: 1, count: 8))
        }
        #expect(budget.remaining >= 0 && budget.remaining < entry, "ten entries fit, the rest are not cached")
        // Every write reached RocksDB whether cached or not.
        #expect(try inner.range(from: nil, to: nil, reverse: false).count == 100)
        for index in 0..<100 {
            #expect(try cache.get(withUnsafeBytes(of: UInt64(index).bigEndian, Array.init)) == Array(repeating: 1, count: 8))
        }
        try cache.close()
        #expect(budget.remaining == budget.capacity)
    }

    @Test func entriesLargerThanTheLimitAreNotCached() throws {
        let (_, cache, budget, directory) = try make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let large = Array(repeating: UInt8(5), count: ReadCachingKeyValueBytesStore.maxEntryBytes + 1)
        try cache.put([1], large)
        #expect(budget.remaining == budget.capacity)
        #expect(try cache.get([1]) == large)
        #expect(cache.misses == 1)
    }

    @Test func atomicBatchesAndRemoveAllKeepTheCacheTrue() throws {
        let (inner, cache, budget, directory) = try make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try cache.put([1], [10])
        try cache.put([2], [20])
        try cache.applyAtomically(
            [(key: [1], value: [11]), (key: [2], value: nil), (key: [3], value: [30])],
            checkpoint: ChangelogCheckpoint(topic: "c", partition: 0, offset: 5), sourceHighWater: nil)
        #expect(try cache.get([1]) == [11])
        #expect(try cache.get([2]) == nil)
        #expect(try cache.get([3]) == [30])
        #expect(cache.misses == 0)
        #expect(try inner.get([3]) == [30])
        #expect(try cache.storedCheckpoint(topic: "c", partition: 0) == 5)
        try cache.removeAll()
        #expect(budget.remaining == budget.capacity)
        #expect(try cache.get([1]) == nil)
        #expect(try inner.get([1]) == nil)
    }
}
