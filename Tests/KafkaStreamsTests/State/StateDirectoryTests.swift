import Foundation
import KafkaStreamsTesting
import RocksDB
import Synchronization
import Testing

@testable import KafkaStreams

@Suite struct StateDirectoryTests {
    @Test func aTaskDirectoryCanBeLockedOnlyOnce() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lock-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try TaskDirectoryLock(directory: directory)
        #expect {
            try TaskDirectoryLock(directory: directory)
        } throws: { error in
            guard case StreamsError.stateStore(let store, let message) = error else { return false }
            return store == directory && message.contains("locked")
        }
        first.release()
        let again = try TaskDirectoryLock(directory: directory)
        again.release()
    }

    @Test func rocksDBConfigSetterSeesEveryPersistentStore() throws {
        let configured = Mutex<[String]>([])
        var config = TopologyTestDriver.defaultConfig
        config.rocksDBConfigSetter = { store, options in
            configured.withLock { $0.append(store) }
            options.compression = .lz4
        }
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .count(materialized: .as("persistent-counts"))
        builder.stream("other", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .count(materialized: .as("memory-counts", storeType: .inMemory))
        let driver = try TopologyTestDriver(topology: builder.build(), config: config)
        try driver.createInputTopic("in", key: .string, value: .string).pipeInput(key: "k", value: "v", timestamp: 0)
        #expect(try driver.keyValueStore("persistent-counts", key: .string, value: .int64).get("k") == 1)
        #expect(configured.withLock { $0 } == ["persistent-counts"])
    }

    @Test func persistentStoresHaveBloomFiltersUnlessTheConfigSetterSaysOtherwise() {
        var config = TopologyTestDriver.defaultConfig
        let keyValue = RocksDBSharedResources.options(for: config, store: "counts", inplaceUpdates: true)
        #expect(keyValue.bloomFilterBitsPerKey == 10)
        #expect(keyValue.memtableBloomFilterRatio == nil)
        let windowed = RocksDBSharedResources.options(
            for: config, store: "windowed", inplaceUpdates: true, memtableFilter: true)
        #expect(windowed.bloomFilterBitsPerKey == 10)
        #expect(windowed.memtableBloomFilterRatio == 0.02)
        config.rocksDBConfigSetter = { _, options in
            options.bloomFilterBitsPerKey = nil
            options.memtableBloomFilterRatio = nil
        }
        let configured = RocksDBSharedResources.options(
            for: config, store: "windowed", inplaceUpdates: true, memtableFilter: true)
        #expect(configured.bloomFilterBitsPerKey == nil)
        #expect(configured.memtableBloomFilterRatio == nil)
    }

    /// RocksDB's `LOG` file is off (a failed write to it aborts Debian's RocksDB 7.8 at the next
    /// message); the config setter can turn it back on.
    @Test func persistentStoresWriteNoRocksDBLogUnlessTheConfigSetterAsks() {
        var config = TopologyTestDriver.defaultConfig
        #expect(RocksDBSharedResources.options(for: config, store: "counts", inplaceUpdates: true).infoLog == .off)
        #expect(RocksDBSharedResources.options(for: config, store: "windowed", memtableFilter: true).infoLog == .off)
        config.rocksDBConfigSetter = { _, options in options.infoLog = .inDatabaseDirectory(level: .warn) }
        #expect(
            RocksDBSharedResources.options(for: config, store: "counts").infoLog == .inDatabaseDirectory(level: .warn))
    }
}
