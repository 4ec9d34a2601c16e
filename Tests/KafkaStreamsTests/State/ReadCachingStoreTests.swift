import Foundation
import Testing

@testable import KafkaStreams

/// The stream thread's read cache in front of RocksDB key-value stores.
@Suite struct ReadCachingStoreTests {
    /// A RocksDB store as tasks open it (in-place updates on), its directory, and a cache over it.
    func make(budget: Int = 1 << 22) throws -> (inner: RocksDBKeyValueStore, cache: ReadCachingKeyValueBytesStore, budget: ReadCacheBudget, directory: String) {
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

    @Test func theTableIsChargedToTheBudgetAndRefundedAtClose() throws {
        let (_, cache, budget, directory) = try make(budget: ReadCacheTable.minimumTableBytes + 10)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(budget.remaining == budget.capacity, "nothing allocated before the first access")
        try cache.put([1], [10])
        #expect(budget.remaining == 10)
        // A second store of the same thread does not fit: it reads RocksDB directly.
        let (other, _, _, otherDirectory) = try make()
        defer { try? FileManager.default.removeItem(atPath: otherDirectory) }
        let starved = ReadCachingKeyValueBytesStore(inner: other, budget: budget)
        try starved.put([2], [20])
        #expect(try starved.get([2]) == [20])
        #expect(starved.hits == 0, "no table, no hits")
        #expect(budget.remaining == 10)
        try cache.close()
        #expect(budget.remaining == budget.capacity)
    }

    @Test func entriesLargerThanASlotAreNotCached() throws {
        let (_, cache, _, directory) = try make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let large = Array(repeating: UInt8(5), count: ReadCacheTable.slotBytes)
        try cache.put([1], large)
        #expect(try cache.get([1]) == large)
        #expect(cache.misses == 1)
        try cache.put([1], [6])
        #expect(try cache.get([1]) == [6])
        #expect(cache.hits == 1)
    }

    @Test func emptyKeysAndValuesAreCached() throws {
        let (_, cache, _, directory) = try make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try cache.put([], [])
        #expect(try cache.get([]) == [])
        #expect(cache.hits == 1)
    }

    @Test func atomicBatchesAndRemoveAllKeepTheCacheTrue() throws {
        let (inner, cache, _, directory) = try make()
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
        #expect(try cache.get([1]) == nil)
        #expect(try inner.get([1]) == nil)
    }
}

extension ReadCachingStoreTests {
    /// Keys whose hash picks the same set: the set's four slots hold the four used last.
    @Test func fourKeysOfOneSetStayCachedAndAFifthEvictsTheLeastRecent() throws {
        let (_, cache, _, directory) = try make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sets = ReadCacheTable.minimumSlotCount / ReadCacheTable.ways
        let first: [UInt8] = [0, 0]
        var same: [[UInt8]] = []
        var candidate: UInt16 = 1
        while same.count < ReadCacheTable.ways {
            let key = withUnsafeBytes(of: candidate.bigEndian, Array.init)
            if Self.set(of: key, sets: sets) == Self.set(of: first, sets: sets) { same.append(key) }
            candidate += 1
        }
        try cache.put(first, [1])
        for (index, key) in same.dropLast().enumerated() { try cache.put(key, [UInt8(index + 2)]) }
        #expect(try cache.get(first) == [1])
        for (index, key) in same.dropLast().enumerated() { #expect(try cache.get(key) == [UInt8(index + 2)]) }
        #expect(cache.misses == 0)
        // `first` was used least recently: the fifth key takes its slot.
        try cache.put(same.last!, [9])
        #expect(try cache.get(same.last!) == [9])
        for (index, key) in same.dropLast().enumerated() { #expect(try cache.get(key) == [UInt8(index + 2)]) }
        #expect(cache.misses == 0)
        #expect(try cache.get(first) == [1])
        #expect(cache.misses == 1)
    }

    /// The set of the cache's `sets` that `key` goes to.
    static func set(of key: [UInt8], sets: Int) -> Int {
        ReadCacheTable.set(ofHash: key.withUnsafeBytes { Murmur2.hash($0) }, sets: sets)
    }

    /// Keys 0..<count as 4-byte big-endian arrays.
    static func keys(_ count: Int) -> [[UInt8]] {
        (0..<count).map { withUnsafeBytes(of: UInt32($0).bigEndian, Array.init) }
    }

    /// Reads every key `rounds` times, after writing them, and returns the misses of the last round.
    static func readRounds(_ cache: ReadCachingKeyValueBytesStore, _ keys: [[UInt8]], rounds: Int) throws -> Int {
        var missesBefore = 0
        for round in 0..<rounds {
            if round == rounds - 1 { missesBefore = cache.misses }
            for key in keys { #expect(try cache.get(key) == key) }
        }
        return cache.misses - missesBefore
    }

    @Test func aTableGrowsWhileItsKeysEvictEachOtherAndIsChargedForIt() throws {
        let (_, cache, budget, directory) = try make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let keys = Self.keys(900)
        for key in keys { try cache.put(key, key) }
        #expect(cache.slotCount == ReadCacheTable.minimumSlotCount)
        let lastRoundMisses = try Self.readRounds(cache, keys, rounds: 8)
        #expect(cache.slotCount >= 2048, "900 keys need more than 1,024 slots in two-way sets (\(cache.slotCount))")
        // A cyclic scan misses every time in the few sets that three or more keys share (~6% of
        // sets at this load), ~170 here; at 256 slots nearly every read missed.
        #expect(lastRoundMisses < keys.count / 4, "once grown, most keys stay cached (\(lastRoundMisses) misses)")
        #expect(budget.capacity - budget.remaining == cache.slotCount * ReadCacheTable.slotBytes)
        try cache.close()
        #expect(budget.remaining == budget.capacity, "the grown table is refunded in full")
    }

    @Test func aTableWhoseKeysFitDoesNotGrow() throws {
        let (_, cache, budget, directory) = try make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // 60 keys, at most four per set of the smallest table: they fit by construction.
        let sets = ReadCacheTable.minimumSlotCount / ReadCacheTable.ways
        var perSet: [Int: Int] = [:]
        let keys = Self.keys(200).filter { key in
            let set = Self.set(of: key, sets: sets)
            perSet[set, default: 0] += 1
            return perSet[set]! <= ReadCacheTable.ways
        }.prefix(60).map { $0 }
        #expect(keys.count == 60)
        for key in keys { try cache.put(key, key) }
        let lastRoundMisses = try Self.readRounds(cache, keys, rounds: 20)
        #expect(cache.slotCount == ReadCacheTable.minimumSlotCount)
        #expect(lastRoundMisses == 0)
        #expect(budget.capacity - budget.remaining == ReadCacheTable.minimumTableBytes)
    }

    @Test func aTableDoesNotGrowPastTheBudget() throws {
        let budgetBytes = ReadCacheTable.minimumTableBytes * 3
        let (_, cache, budget, directory) = try make(budget: budgetBytes)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let keys = Self.keys(900)
        for key in keys { try cache.put(key, key) }
        _ = try Self.readRounds(cache, keys, rounds: 8)
        #expect(cache.slotCount == ReadCacheTable.minimumSlotCount * 2, "256 → 512 fits in 3 minimum tables, 1,024 does not")
        #expect(budget.remaining == budgetBytes - cache.slotCount * ReadCacheTable.slotBytes)
    }

    /// Keys `0..<count` (4-byte big-endian) that the producer's partitioner puts in `partition` of
    /// `partitions`: the keys one task's store holds.
    static func keys(inPartition partition: Int32, of partitions: Int32, count: Int) -> [[UInt8]] {
        var found: [[UInt8]] = []
        var candidate: UInt32 = 0
        while found.count < count {
            let key = withUnsafeBytes(of: candidate.bigEndian, Array.init)
            if key.withUnsafeBytes({ Murmur2.partition(forKey: $0, partitionCount: partitions) }) == partition {
                found.append(key)
            }
            candidate += 1
        }
        return found
    }

    @Test func theKeysOfOnePartitionSpreadOverAllSets() {
        // With 28 partitions a task's keys share their hash modulo 4: sets picked by the hash's low
        // bits would leave three quarters unused (at most 256 of 1,024 sets; ~160 expected here).
        let keys = Self.keys(inPartition: 0, of: 28, count: 256)
        let sets = Set(keys.map { Self.set(of: $0, sets: 1024) })
        #expect(sets.count > 200, "256 keys of one partition in \(sets.count) of 1,024 sets (~226 expected)")
        #expect(sets.allSatisfy { (0..<1024).contains($0) })
    }

    @Test func aTaskStoreOfAnEvenPartitionCountStaysCached() throws {
        let (_, cache, _, directory) = try make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let keys = Self.keys(inPartition: 3, of: 28, count: 400)
        for key in keys { try cache.put(key, key) }
        let lastRoundMisses = try Self.readRounds(cache, keys, rounds: 10)
        #expect(lastRoundMisses < keys.count / 20, "\(lastRoundMisses) misses of \(keys.count) in the last round, at \(cache.slotCount) slots")
    }

    @Test func aGrowingTableKeepsItsEntries() throws {
        let (_, cache, _, directory) = try make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let keys = Self.keys(900)
        for key in keys { try cache.put(key, key) }
        // Reads until the table grows: the read that grows it missed, and its key was cached just
        // before the table doubled.
        var reads = 0
        while cache.slotCount == ReadCacheTable.minimumSlotCount {
            #expect(try cache.get(keys[reads % keys.count]) == keys[reads % keys.count])
            reads += 1
            try #require(reads < 100_000, "the table never grew")
        }
        let missesAfterGrowing = cache.misses
        let lastRead = keys[(reads - 1) % keys.count]
        #expect(try cache.get(lastRead) == lastRead)
        #expect(cache.misses == missesAfterGrowing, "the key cached before the table doubled is still cached")
        // The key written last was the most recent of its set in the old table: still cached.
        #expect(try cache.get(keys[keys.count - 1]) == keys[keys.count - 1])
        #expect(cache.misses == missesAfterGrowing, "the key written last is still cached")
    }

    @Test func aLargeStoreGrowsPastTwoThousandSlotsWithinTheBudget() throws {
        let (_, cache, budget, directory) = try make(budget: 8 << 20)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let keys = Self.keys(2500)
        for key in keys { try cache.put(key, key) }
        let lastRoundMisses = try Self.readRounds(cache, keys, rounds: 40)
        #expect(cache.slotCount > 4096, "2,500 keys in \(cache.slotCount) slots")
        #expect(lastRoundMisses < keys.count / 50, "\(lastRoundMisses) misses of \(keys.count) in the last round, at \(cache.slotCount) slots")
        #expect(budget.capacity - budget.remaining == cache.slotCount * ReadCacheTable.slotBytes)
    }
}
