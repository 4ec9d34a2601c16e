import Foundation
import Testing

@testable import KafkaStreams

/// The exactly-once write buffer over both store engines.
@Suite struct TransactionBufferingStoreTests {
    enum Engine: String, CaseIterable, CustomStringConvertible {
        case inMemory, rocksDB
        var description: String { rawValue }
    }

    /// A store of the engine, its directory (to delete), and the buffer over it.
    func make(_ engine: Engine, budget: Int = 1 << 20) throws -> (
        inner: any KeyValueBytesStore & AtomicBatchWriting, buffer: TransactionBufferingKeyValueBytesStore, directory: String?
    ) {
        let inner: any KeyValueBytesStore & AtomicBatchWriting
        var directory: String?
        switch engine {
        case .inMemory:
            inner = InMemoryKeyValueStore(name: "s")
        case .rocksDB:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("txn-\(UUID().uuidString)").path
            directory = path
            var config = StreamsConfig(applicationID: "t", bootstrapServers: "unused:9092")
            config.stateDir = path
            inner = try RocksDBKeyValueStore(name: "s", path: path, options: RocksDBSharedResources.options(for: config, store: "s"))
        }
        return (inner, TransactionBufferingKeyValueBytesStore(inner: inner, maxPendingBytes: budget), directory)
    }

    @Test(arguments: Engine.allCases)
    func writesReachTheStoreOnlyAtCommit(engine: Engine) throws {
        let (inner, buffer, directory) = try make(engine)
        defer { directory.map { try? FileManager.default.removeItem(atPath: $0) } }
        try inner.put([1], [10])
        try buffer.put([2], [20])
        try buffer.delete([1])
        #expect(try buffer.get([2]) == [20])
        #expect(try buffer.get([1]) == nil)
        #expect(try inner.get([2]) == nil, "not committed yet")
        #expect(try inner.get([1]) == [10], "the delete is pending")
        try buffer.commit()
        #expect(try inner.get([2]) == [20])
        #expect(try inner.get([1]) == nil)
        #expect(!buffer.hasPendingWrites)
    }

    @Test(arguments: Engine.allCases)
    func abortLeavesTheStoreAsItWas(engine: Engine) throws {
        let (inner, buffer, directory) = try make(engine)
        defer { directory.map { try? FileManager.default.removeItem(atPath: $0) } }
        try inner.put([1], [10])
        try buffer.put([1], [11])
        try buffer.put([3], [30])
        buffer.abort()
        #expect(try buffer.get([1]) == [10])
        #expect(try buffer.get([3]) == nil)
        try buffer.commit()
        #expect(try inner.range(from: nil, to: nil, reverse: false).map(\.key) == [[1]])
    }

    @Test(arguments: Engine.allCases)
    func rangesMergePendingWritesInOrder(engine: Engine) throws {
        let (inner, buffer, directory) = try make(engine)
        defer { directory.map { try? FileManager.default.removeItem(atPath: $0) } }
        for key: UInt8 in [1, 3, 5, 7] { try inner.put([key], [key]) }
        try buffer.put([4], [40])      // new key between stored ones
        try buffer.put([5], [50])      // overwrite
        try buffer.delete([3])         // delete a stored key
        try buffer.put([0x80], [128])  // high byte sorts last
        let forward = try buffer.range(from: nil, to: nil, reverse: false)
        #expect(forward.map(\.key) == [[1], [4], [5], [7], [0x80]])
        #expect(forward.map(\.value) == [[1], [40], [50], [7], [128]])
        let backward = try buffer.range(from: [2], to: [7], reverse: true)
        #expect(backward.map(\.key) == [[7], [5], [4]])
    }

    /// A key put, deleted and put again (and the reverse) ends as its last write, in reads,
    /// ranges, the byte count and the committed store.
    @Test(arguments: Engine.allCases)
    func theLastWriteOfAKeyWins(engine: Engine) throws {
        let (inner, buffer, directory) = try make(engine)
        defer { directory.map { try? FileManager.default.removeItem(atPath: $0) } }
        try inner.put([1], [1])
        try inner.put([2], [2])
        try buffer.put([1], [10, 10])
        try buffer.delete([1])
        #expect(try buffer.get([1]) == nil)
        try buffer.put([1], [11])
        #expect(try buffer.get([1]) == [11])
        try buffer.delete([2])
        try buffer.put([2], [20])
        try buffer.delete([2])
        try buffer.delete([3])
        #expect(try buffer.range(from: nil, to: nil, reverse: false).map(\.key) == [[1]])
        #expect(try buffer.range(from: nil, to: nil, reverse: true).map(\.value) == [[11]])
        #expect(buffer.pendingBytes == 2 + 1 + 1, "[1] → [11] plus the deletes of [2] and [3]")
        try buffer.commit()
        #expect(try inner.get([1]) == [11])
        #expect(try inner.get([2]) == nil)
        #expect(try inner.range(from: nil, to: nil, reverse: false).count == 1)
        #expect(!buffer.hasPendingWrites)
    }

    @Test func overBudgetAsksForAnEarlyCommit() throws {
        let (_, buffer, _) = try make(.inMemory, budget: 100)
        try buffer.put([1], Array(repeating: 0, count: 60))
        #expect(!buffer.isOverBudget)
        try buffer.put([2], Array(repeating: 0, count: 60))
        #expect(buffer.isOverBudget)
        try buffer.commit()
        #expect(!buffer.isOverBudget)
        #expect(buffer.pendingBytes == 0)
    }

    @Test func aRocksDBBatchIsAppliedWholeAfterReopen() throws {
        let (_, buffer, directory) = try make(.rocksDB)
        let path = try #require(directory)
        defer { try? FileManager.default.removeItem(atPath: path) }
        for key: UInt8 in 0..<100 { try buffer.put([key], [key]) }
        try buffer.commit()
        try buffer.flush()
        try buffer.close()
        var config = StreamsConfig(applicationID: "t", bootstrapServers: "unused:9092")
        config.stateDir = path
        let reopened = try RocksDBKeyValueStore(name: "s", path: path, options: RocksDBSharedResources.options(for: config, store: "s"))
        #expect(try reopened.approximateNumEntries() > 0)
        #expect(try reopened.range(from: nil, to: nil, reverse: false).count == 100)
        try reopened.close()
    }

    /// The commit's batch carries the changelog offset and the source high-water marks with the
    /// data: reopened, all three are there, and the write made after the commit is not.
    @Test func theOffsetAndHighWaterMarksCommitWithTheData() throws {
        let (_, buffer, directory) = try make(.rocksDB)
        let path = try #require(directory)
        defer { try? FileManager.default.removeItem(atPath: path) }
        for key: UInt8 in 0..<10 { try buffer.put([key], [key, key]) }
        try buffer.commit(
            checkpoint: ChangelogCheckpoint(topic: "app-s-changelog", partition: 3, offset: 42),
            sourceHighWater: [1, 2, 3])
        try buffer.put([99], [99])  // pending, never committed
        try buffer.close()
        var config = StreamsConfig(applicationID: "t", bootstrapServers: "unused:9092")
        config.stateDir = path
        let reopened = try RocksDBKeyValueStore(name: "s", path: path, options: RocksDBSharedResources.options(for: config, store: "s"))
        defer { try? reopened.close() }
        #expect(try reopened.range(from: nil, to: nil, reverse: false).count == 10)
        #expect(try reopened.get([99]) == nil)
        #expect(try reopened.storedCheckpoint(topic: "app-s-changelog", partition: 3) == 42)
        #expect(try reopened.storedSourceHighWater() == [1, 2, 3])
    }
}
