import Benchmark
import Foundation
import KafkaStreams

// Store micro-benchmarks: the in-memory B-tree store against the RocksDB store, both built through
// the public API (`Stores.keyValueStoreBuilder(...).build(directory:)`) as byte stores
// (`KeyValueStore<[UInt8], [UInt8]>`), so the figures include the typed wrapper's serde calls.
//
// Data: `StoreData.entryCount` keys of 16 bytes (8-byte big-endian index + 8 filler bytes) with
// 100-byte values. Each store is filled in the benchmark's setup; `put` overwrites existing keys
// (the store keeps its size), `get` reads existing keys; both visit keys in a fixed pseudo-random
// order. `range(100)` reads 100 consecutive keys from a pseudo-random start; `all` reads every entry.
//
// Run: swift package --package-path Benchmarks benchmark   (docs/benchmarks.md)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        warmupIterations: 3,
        maxDuration: .seconds(2),
        maxIterations: 10_000
    )
    for engine in StoreEngine.allCases {
        registerBenchmarks(engine)
    }
}

/// The two store engines under test.
enum StoreEngine: String, CaseIterable, Sendable {
    case inMemory = "InMemory"
    case rocksDB = "RocksDB"

    /// A new store of this engine, filled with `StoreData.entryCount` entries.
    func makeFilledStore() throws -> OpenStore {
        let store: KeyValueStore<[UInt8], [UInt8]>
        var directory: String?
        switch self {
        case .inMemory:
            store = try Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("s"), key: .bytes, value: .bytes)
                .build()
        case .rocksDB:
            let path = FileManager.default.temporaryDirectory
                .appendingPathComponent("\(directoryPrefix)\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            directory = path
            store = try Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("s"), key: .bytes, value: .bytes)
                .build(directory: path)
        }
        for index in 0..<StoreData.entryCount {
            try store.put(StoreData.key(index), StoreData.value)
        }
        try store.flush()
        return OpenStore(store: store, directory: directory)
    }
}

/// A store opened for one benchmark, and the directory it lives in (persistent stores).
final class OpenStore {
    let store: KeyValueStore<[UInt8], [UInt8]>
    let directory: String?

    init(store: KeyValueStore<[UInt8], [UInt8]>, directory: String?) {
        self.store = store
        self.directory = directory
    }

}

/// The keys, values and visiting orders shared by all benchmarks.
enum StoreData {
    static let entryCount = 100_000
    static let rangeLength = 100
    static let value = [UInt8](repeating: 0x61, count: 100)

    /// Key `index`: 8 bytes big-endian (so byte order is numeric order) + 8 filler bytes.
    static func key(_ index: Int) -> [UInt8] {
        var key = [UInt8](repeating: 0x6B, count: 16)
        for shift in 0..<8 { key[shift] = UInt8(truncatingIfNeeded: UInt64(index) >> (56 - 8 * shift)) }
        return key
    }

    /// Pre-built keys in a fixed pseudo-random order, so key construction is not measured.
    static let shuffledKeys: [[UInt8]] = {
        var generator = SplitMix64(seed: 42)
        return (0..<entryCount).shuffled(using: &generator).map(key)
    }()

    /// Start and end keys of 100-key ranges at pseudo-random positions.
    static let ranges: [(from: [UInt8], to: [UInt8])] = {
        var generator = SplitMix64(seed: 7)
        return (0..<1_000).map { _ in
            let start = Int.random(in: 0..<(entryCount - rangeLength), using: &generator)
            return (key(start), key(start + rangeLength - 1))
        }
    }()
}

/// A small deterministic generator, so every run visits keys in the same order.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private func registerBenchmarks(_ engine: StoreEngine) {
    let kilo = Benchmark.Configuration(scalingFactor: .kilo)

    // 1,000 overwrites of existing keys per iteration.
    Benchmark("\(engine.rawValue) put", configuration: kilo) { benchmark, open in
        var cursor = (benchmark.currentIteration * 1_000) % StoreData.entryCount
        for _ in benchmark.scaledIterations {
            try open.store.put(StoreData.shuffledKeys[cursor], StoreData.value)
            cursor += 1
            if cursor == StoreData.entryCount { cursor = 0 }
        }
    } setup: {
        try engine.makeFilledStore()
    } teardown: {
        // The store is released with the benchmark's setup state; its directory is removed here.
        removeStoreDirectories(engine)
    }

    // 1,000 reads of existing keys per iteration.
    Benchmark("\(engine.rawValue) get", configuration: kilo) { benchmark, open in
        var cursor = (benchmark.currentIteration * 1_000) % StoreData.entryCount
        for _ in benchmark.scaledIterations {
            let value = try open.store.get(StoreData.shuffledKeys[cursor])
            precondition(value != nil, "key missing from the filled store")
            blackHole(value)
            cursor += 1
            if cursor == StoreData.entryCount { cursor = 0 }
        }
    } setup: {
        try engine.makeFilledStore()
    } teardown: {
        removeStoreDirectories(engine)
    }

    // One range of 100 consecutive keys per iteration.
    Benchmark("\(engine.rawValue) range(100)") { benchmark, open in
        let range = StoreData.ranges[benchmark.currentIteration % StoreData.ranges.count]
        let entries = try open.store.range(from: range.from, to: range.to)
        precondition(entries.count == StoreData.rangeLength, "range returned \(entries.count) entries")
        blackHole(entries)
    } setup: {
        try engine.makeFilledStore()
    } teardown: {
        removeStoreDirectories(engine)
    }

    // Every entry (100,000) per iteration.
    Benchmark("\(engine.rawValue) all(100k)", configuration: .init(maxIterations: 200)) { _, open in
        let entries = try open.store.all()
        precondition(entries.count == StoreData.entryCount, "all returned \(entries.count) entries")
        blackHole(entries)
    } setup: {
        try engine.makeFilledStore()
    } teardown: {
        removeStoreDirectories(engine)
    }
}

/// RocksDB directories of this process are named `<prefix><UUID>` in the temporary directory.
private let directoryPrefix = "store-benchmarks-\(ProcessInfo.processInfo.processIdentifier)-"

/// Removes the RocksDB directories this process created (the teardown hook has no access to the
/// setup state).
private func removeStoreDirectories(_ engine: StoreEngine) {
    guard engine == .rocksDB else { return }
    let temporary = FileManager.default.temporaryDirectory
    let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
    for name in names where name.hasPrefix(directoryPrefix) {
        try? FileManager.default.removeItem(at: temporary.appendingPathComponent(name))
    }
}
