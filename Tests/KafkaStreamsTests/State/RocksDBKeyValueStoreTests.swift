import Foundation
import Synchronization
import Testing

@testable import KafkaStreams

/// The RocksDB key-value store as tasks open it: in-place updates on.
@Suite struct RocksDBKeyValueStoreTests {
    func make() throws -> (store: RocksDBKeyValueStore, directory: String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rocksdb-kv-\(UUID().uuidString)").path
        var config = StreamsConfig(applicationID: "t", bootstrapServers: "unused:9092")
        config.stateDir = path
        let store = try RocksDBKeyValueStore(
            name: "s", path: path, options: RocksDBSharedResources.options(for: config, store: "s", inplaceUpdates: true))
        return (store, path)
    }

    @Test func reverseRangesWorkDespiteInplaceUpdates() throws {
        let (store, directory) = try make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for key in 1...5 { try store.put([UInt8(key)], [UInt8(key * 10)]) }
        try store.put([3], [31])
        let reversed = try store.range(from: [2], to: [4], reverse: true)
        #expect(reversed.map(\.key) == [[4], [3], [2]])
        #expect(reversed.map(\.value) == [[40], [31], [20]])
        #expect(try store.queryRange(from: nil, to: nil, reverse: true).map(\.key) == (1...5).reversed().map { [UInt8($0)] })
        #expect(try store.queryRange(from: [2], to: [4], reverse: false).map(\.value) == [[20], [31], [40]])
    }

    /// The processing thread overwrites values in place while another thread queries ranges:
    /// every value a query returns is one that was written whole.
    @Test func queryRangesNeverSeeHalfAnUpdate() throws {
        let (store, directory) = try make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let keys = (0..<64).map { [UInt8($0)] }
        for key in keys { try store.put(key, Array(repeating: 0, count: 64)) }
        let torn = LockedCount()
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            if worker == 0 {
                for round in 1...2_000 {
                    for key in keys { try? store.put(key, Array(repeating: UInt8(truncatingIfNeeded: round), count: 64)) }
                }
            } else {
                for _ in 0..<500 {
                    guard let entries = try? store.queryRange(from: nil, to: nil, reverse: false) else {
                        torn.add(1_000_000)
                        return
                    }
                    if entries.count != keys.count { torn.add(1) }
                    for entry in entries where Set(entry.value).count != 1 { torn.add(1) }
                }
            }
        }
        #expect(torn.value == 0, "values read half-written, or entries missing")
    }
}

/// A counter several threads add to.
private final class LockedCount: Sendable {
    private let total = Mutex(0)
    func add(_ amount: Int) { total.withLock { $0 += amount } }
    var value: Int { total.withLock { $0 } }
}
