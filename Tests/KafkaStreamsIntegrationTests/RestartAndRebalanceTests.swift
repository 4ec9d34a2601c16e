import Foundation
import KafkaStreams
import KafkaStreamsTesting
import RdKafka
import Synchronization
import Testing

/// Restarts, restoration from changelogs, and tasks moving between instances, on the embedded broker.
@Suite(.serialized) struct RestartAndRebalanceTests {
    typealias Counts = [String: Int64]

    static let firstLines = ["apple banana apple", "cherry apple", "banana banana date"]
    static let secondLines = ["apple date", "elder fig", "banana", "cherry cherry cherry"]

    /// Counts restored records through the restore listener.
    final class RestoreCounter: Sendable {
        let restored = Mutex(0)
        var listener: StateRestoreListener {
            StateRestoreListener(onRestoreEnd: { _, _, _, count in self.restored.withLock { $0 += count } })
        }
        var total: Int { restored.withLock { $0 } }
    }

    func run(
        cluster: EmbeddedKafkaCluster, config: StreamsConfig, storeType: Materialized<String, Int64>.StoreType,
        lines: [String]
    ) async throws -> Counts {
        let streams = try KafkaStreams(
            topology: WordCountIntegrationTests.wordCountTopology(storeType: storeType), config: config,
            topicCreator: cluster.topicCreator)
        try streams.start()
        defer { streams.close() }
        try await waitUntil(timeout: .seconds(90), "application running") { streams.state == .running }
        try cluster.produce("text-lines", lines.map { (String?.none, $0) }, key: .optional(.string), value: .string)
        try cluster.waitUntilConsumed(
            groupID: config.applicationID, topics: ["text-lines", "\(config.applicationID)-counts-repartition"])
        streams.pause()
        try await waitUntil(timeout: .seconds(90), "running after pause") { streams.state == .running }
        let store = try streams.store(.keyValue(name: "counts", key: .string, value: .int64))
        let counts = Dictionary(uniqueKeysWithValues: try store.all().map { ($0.key, $0.value) })
        #expect(streams.close(timeout: .seconds(30)))
        return counts
    }

    @Test(arguments: [Materialized<String, Int64>.StoreType.inMemory, .persistent])
    func restartRestoresExactCounts(storeType: Materialized<String, Int64>.StoreType) async throws {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("text-lines", partitions: 2)
        try cluster.createTopic("word-counts", partitions: 2)
        var config = cluster.streamsConfig(applicationID: "restart-\(storeType)")
        let first = try await run(cluster: cluster, config: config, storeType: storeType, lines: Self.firstLines)
        #expect(first == WordCountIntegrationTests.expectedCounts(Self.firstLines))

        let counter = RestoreCounter()
        config.stateRestoreListener = counter.listener
        let changelogRecords = try Self.changelogRecordCount(cluster, applicationID: config.applicationID)
        let second = try await run(cluster: cluster, config: config, storeType: storeType, lines: Self.secondLines)
        #expect(second == WordCountIntegrationTests.expectedCounts(Self.firstLines + Self.secondLines))
        switch storeType {
        case .inMemory:
            // Everything comes back from the changelog: every record of the first run's changelog.
            #expect(counter.total == changelogRecords)
        case .persistent:
            // The checkpoint covers the local RocksDB state: nothing to replay.
            #expect(counter.total == 0)
        }
    }

    @Test func offsetInsideRocksDBReplacesALostCheckpointFile() async throws {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("text-lines", partitions: 2)
        try cluster.createTopic("word-counts", partitions: 2)
        var config = cluster.streamsConfig(applicationID: "lost-checkpoint")
        _ = try await run(cluster: cluster, config: config, storeType: .persistent, lines: Self.firstLines)
        // Remove every .checkpoint file; the RocksDB databases (and the offsets inside) stay.
        let root = "\(config.stateDir)/\(config.applicationID)"
        var removed = 0
        for task in try FileManager.default.contentsOfDirectory(atPath: root) {
            let file = "\(root)/\(task)/.checkpoint"
            if FileManager.default.fileExists(atPath: file) {
                try FileManager.default.removeItem(atPath: file)
                removed += 1
            }
        }
        #expect(removed > 0)

        let counter = RestoreCounter()
        config.stateRestoreListener = counter.listener
        let second = try await run(cluster: cluster, config: config, storeType: .persistent, lines: Self.secondLines)
        #expect(second == WordCountIntegrationTests.expectedCounts(Self.firstLines + Self.secondLines))
        #expect(counter.total == 0, "the offsets inside RocksDB cover its data: nothing to replay")
    }

    @Test func deletedStateDirectoryIsRestoredInFull() async throws {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("text-lines", partitions: 2)
        try cluster.createTopic("word-counts", partitions: 2)
        var config = cluster.streamsConfig(applicationID: "wiped")
        let first = try await run(cluster: cluster, config: config, storeType: .persistent, lines: Self.firstLines)
        try FileManager.default.removeItem(atPath: config.stateDir)

        let counter = RestoreCounter()
        config.stateRestoreListener = counter.listener
        let changelogRecords = try Self.changelogRecordCount(cluster, applicationID: config.applicationID)
        let second = try await run(cluster: cluster, config: config, storeType: .persistent, lines: Self.secondLines)
        #expect(second == WordCountIntegrationTests.expectedCounts(Self.firstLines + Self.secondLines))
        // Every record of the changelog was replayed.
        #expect(counter.total == changelogRecords, "restored \(counter.total) of \(changelogRecords) changelog records; first run had \(first)")
    }

    /// The number of records in the `counts` store's changelog (the mock never compacts).
    static func changelogRecordCount(_ cluster: EmbeddedKafkaCluster, applicationID: String) throws -> Int {
        try cluster.recordCount("\(applicationID)-counts-changelog")
    }

    /// The counts of all instances' local stores together; `nil` while any cannot be queried or
    /// a word is counted by two instances.
    static func mergedCounts(_ instances: [KafkaStreams]) -> Counts? {
        var merged: Counts = [:]
        for instance in instances {
            guard let store = try? instance.store(.keyValue(name: "counts", key: .string, value: .int64)),
                let entries = try? store.all()
            else { return nil }
            for entry in entries {
                if merged[entry.key] != nil { return nil }
                merged[entry.key] = entry.value
            }
        }
        return merged
    }

    @Test(arguments: KafkaTestClusters.available)
    func twoInstancesShareTheWorkAndCountExactly(kind: KafkaTestClusters.Kind) async throws {
        let cluster = try KafkaTestClusters.make(kind)
        let id = "shared-\(UUID().uuidString.prefix(8).lowercased())"
        let (input, output) = ("\(id)-lines", "\(id)-counts")
        try cluster.createTopic(input, partitions: 4)
        try cluster.createTopic(output, partitions: 4)
        func instance() throws -> KafkaStreams {
            try KafkaStreams(
                topology: WordCountIntegrationTests.wordCountTopology(storeType: .inMemory, input: input, output: output),
                config: cluster.streamsConfig(applicationID: id), topicCreator: cluster.topicCreator)
        }
        let first = try instance()
        try first.start()
        defer { first.close() }
        try await waitUntil(timeout: .seconds(90), "first instance running") { first.state == .running }
        try cluster.produce(input, Self.firstLines.map { (String?.none, $0) }, key: .optional(.string), value: .string)
        let firstExpected = WordCountIntegrationTests.expectedCounts(Self.firstLines)
        try await waitUntil(timeout: .seconds(90), "first batch counted") {
            first.pause()
            defer { first.resume() }
            return Self.mergedCounts([first]) == firstExpected
        }

        // A second instance joins: tasks move, and moved state is restored from changelogs.
        let second = try instance()
        try second.start()
        defer { second.close() }
        try await waitUntil(timeout: .seconds(90), "both instances running") {
            first.state == .running && second.state == .running
        }
        try cluster.produce(input, Self.secondLines.map { (String?.none, $0) }, key: .optional(.string), value: .string)
        let expected = WordCountIntegrationTests.expectedCounts(Self.firstLines + Self.secondLines)
        var merged: Counts?
        try await waitUntil(timeout: .seconds(90), "both batches counted across instances, have \(String(describing: merged))") {
            // Paused, each instance has committed and flushed its cache: stores are final for now.
            first.pause()
            second.pause()
            defer {
                first.resume()
                second.resume()
            }
            merged = Self.mergedCounts([first, second])
            return merged == expected
        }
    }
}
