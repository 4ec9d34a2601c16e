import Foundation
import KafkaStreams
import KafkaStreamsTesting
import RdKafka
import Testing

#if canImport(Glibc)
/// A state directory whose filesystem fills up while the application runs.
@Suite(
    .enabled(if: SmallFilesystem.isAvailable, "mounting a tmpfs needs root (CAP_SYS_ADMIN): run the tests as root"),
    .serialized)
struct FullDiskTests {
    /// Latest value per key, in RocksDB, every update sent on: an input record is lost if its
    /// value never reaches the output topic or the store ends with another value for its key.
    static func latestValueTopology() throws -> Topology {
        let builder = StreamsBuilder()
        builder.stream("events", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .reduce(materialized: Materialized.as("latest", storeType: .persistent).withCachingDisabled()) { _, new in new }
            .toStream()
            .to("latest-values", produced: .with(key: .string, value: .string))
        return try builder.build()
    }

    static func events(_ range: Range<Int>) -> [(String, String)] {
        range.map { ("key-\($0 % 25)", "value-\($0)") }
    }

    /// An embedded cluster with the topology's input and output topics.
    static func clusterWithTopics() throws -> EmbeddedKafkaCluster {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("events", partitions: 2)
        try cluster.createTopic("latest-values", partitions: 2)
        return cluster
    }

    /// Waits until `streams` has stopped in state `.error`, then checks that its error is the
    /// store `latest` failing for lack of space.
    func expectStoppedByTheFullDisk(_ streams: KafkaStreams) async throws {
        try await waitUntil(timeout: .seconds(120), "application stopped by the full disk (state \(streams.state))") {
            streams.state == .error
        }
        let error = try #require(streams.lastError)
        guard case StreamsError.stateStore(let store, let message) = error else {
            Issue.record("expected StreamsError.stateStore, got \(type(of: error)): \(error)")
            return
        }
        #expect(store == "latest")
        #expect(message.contains("No space left on device"), "\(message)")
    }

    /// A configuration on `cluster` whose state directory is on `filesystem`.
    static func config(
        _ cluster: EmbeddedKafkaCluster, applicationID: String, on filesystem: borrowing SmallFilesystem
    ) -> StreamsConfig {
        var config = cluster.streamsConfig(applicationID: applicationID)
        config.stateDir = "\(filesystem.path)/state"
        return config
    }

    /// Starts an instance of the topology and waits until it runs; fails at once, with its
    /// error, if it fails instead (and closes it then).
    static func startRunning(_ config: StreamsConfig, on cluster: EmbeddedKafkaCluster, _ what: String) async throws -> KafkaStreams {
        let streams = try KafkaStreams(topology: latestValueTopology(), config: config, topicCreator: cluster.topicCreator)
        try streams.start()
        do {
            try await waitUntil(timeout: .seconds(120), "\(what) running") {
                if streams.state == .error { throw FailedToStart(error: streams.lastError) }
                return streams.state == .running
            }
        } catch {
            streams.close()
            throw error
        }
        return streams
    }

    struct FailedToStart: Error {
        let error: (any Error)?
    }

    /// The disk fills between two batches. The stream thread's next commit flushes the store,
    /// RocksDB cannot write the SST file, and the application stops in state `.error` with a
    /// ``StreamsError/stateStore(store:message:)`` naming the store and the cause. The offsets of
    /// the second batch were not committed, so once there is space again a new instance on the
    /// same state directory processes it: the store ends with every key's last value and every
    /// input record reached the output.
    ///
    /// Before RocksDB's `LOG` file was turned off this aborted the process: RocksDB 7.8 as Debian
    /// builds it asserts when its file logger writes again after a failed write.
    @Test func fullStateDirectoryStopsTheApplicationWithATypedErrorAndLosesNothing() async throws {
        let cluster = try Self.clusterWithTopics()
        let filesystem = try SmallFilesystem(bytes: 4 * 1024 * 1024)
        let config = Self.config(cluster, applicationID: "full-disk", on: filesystem)

        let first = try await Self.startRunning(config, on: cluster, "application")
        defer { first.close() }
        try cluster.produce("events", Self.events(0..<200), key: .string, value: .string)
        try cluster.waitUntilConsumed(groupID: config.applicationID, topics: ["events"], timeout: .seconds(120))

        let filler = try filesystem.fill()
        try cluster.produce("events", Self.events(200..<400), key: .string, value: .string)
        try await expectStoppedByTheFullDisk(first)
        #expect(first.close(timeout: .seconds(30)))

        try FileManager.default.removeItem(atPath: filler.path)
        let second = try await Self.startRunning(config, on: cluster, "restarted application")
        defer { second.close() }
        try cluster.waitUntilConsumed(groupID: config.applicationID, topics: ["events"], timeout: .seconds(120))

        let expected = Dictionary(Self.events(0..<400), uniquingKeysWith: { _, last in last })
        let store = try second.store(.keyValue(name: "latest", key: .string, value: .string))
        let latest = Dictionary(uniqueKeysWithValues: try store.all().map { ($0.key, $0.value) })
        #expect(latest == expected)
        // Every output record: at least once, records processed again after the failure are in
        // twice.
        let outputCount = try cluster.recordCount("latest-values")
        #expect(outputCount >= 400)
        let outputs = try cluster.readRecords("latest-values", key: .string, value: .string, count: outputCount)
        #expect(outputs.count == outputCount)
        let sent = Set(outputs.map { "\($0.key)=\($0.value)" })
        let missing = Self.events(0..<400).filter { !sent.contains("\($0.0)=\($0.1)") }
        #expect(missing.isEmpty, "\(missing.count) input records never reached the output, e.g. \(missing.prefix(3))")
        #expect(second.close(timeout: .seconds(30)))
    }

    /// The same under exactly-once, where a store's writes reach RocksDB after their transaction
    /// commits. The embedded broker keeps no transactional offset commits
    /// (docs/testing.md), so progress is read from the output topic and the restarted instance
    /// reads the input again from the start; it must end with every key's last value.
    @Test func fullStateDirectoryUnderExactlyOnceStopsWithATypedErrorAndRecovers() async throws {
        let cluster = try Self.clusterWithTopics()
        let filesystem = try SmallFilesystem(bytes: 4 * 1024 * 1024)
        var config = Self.config(cluster, applicationID: "full-disk-eos", on: filesystem)
        config.processingGuarantee = .exactlyOnceV2

        let first = try await Self.startRunning(config, on: cluster, "application")
        defer { first.close() }
        try cluster.produce("events", Self.events(0..<200), key: .string, value: .string)
        try await waitUntil(timeout: .seconds(120), "the first batch's outputs") {
            try cluster.recordCount("latest-values") >= 200
        }

        let filler = try filesystem.fill()
        // More than the filesystem holds: RocksDB's write-ahead log, which exactly-once writes
        // through, has room preallocated for small writes.
        let padding = String(repeating: "x", count: 4096)
        try cluster.produce("events", Self.events(200..<400).map { ($0.0, $0.1 + padding) }, key: .string, value: .string)
        try await expectStoppedByTheFullDisk(first)
        #expect(first.close(timeout: .seconds(30)))

        try FileManager.default.removeItem(atPath: filler.path)
        let second = try await Self.startRunning(config, on: cluster, "restarted application")
        defer { second.close() }
        let expected = Dictionary(Self.events(0..<200) + Self.events(200..<400).map { ($0.0, $0.1 + padding) }, uniquingKeysWith: { _, last in last })
        var latest: [String: String] = [:]
        try await waitUntil(timeout: .seconds(120), "the store holds every key's last value (\(latest.count) keys)") {
            guard let store = try? second.store(.keyValue(name: "latest", key: .string, value: .string)),
                let entries = try? store.all()
            else { return false }
            latest = Dictionary(uniqueKeysWithValues: entries.map { ($0.key, $0.value) })
            return latest == expected
        }
        #expect(second.close(timeout: .seconds(30)))
    }

    /// The disk is full before the first start: `start()` cannot keep the instance's process id
    /// in the state directory and throws ``StreamsError/stateStore(store:message:)`` saying so.
    @Test func firstStartOnAFullDiskThrowsATypedError() throws {
        let cluster = try Self.clusterWithTopics()
        let filesystem = try SmallFilesystem(bytes: 1024 * 1024)
        let config = Self.config(cluster, applicationID: "full-disk-first-start", on: filesystem)
        try FileManager.default.createDirectory(atPath: config.stateDir, withIntermediateDirectories: true)
        _ = try filesystem.fill()

        let streams = try KafkaStreams(topology: Self.latestValueTopology(), config: config, topicCreator: cluster.topicCreator)
        defer { streams.close() }
        #expect {
            try streams.start()
        } throws: { error in
            guard case StreamsError.stateStore(_, let message) = error else { return false }
            return message.contains("process id") && message.contains("No space left on device")
        }
    }

    /// The disk is full when a restarted instance must create its stores again (their
    /// directories were removed): the stores cannot be opened, and the instance stops in state
    /// `.error` with a ``StreamsError/stateStore(store:message:)`` naming the store, having
    /// processed and committed nothing.
    @Test func storesThatCannotBeCreatedStopTheApplicationWithATypedError() async throws {
        let cluster = try Self.clusterWithTopics()
        let filesystem = try SmallFilesystem(bytes: 4 * 1024 * 1024)
        let config = Self.config(cluster, applicationID: "full-disk-stores", on: filesystem)

        let first = try await Self.startRunning(config, on: cluster, "application")
        defer { first.close() }
        try cluster.produce("events", Self.events(0..<50), key: .string, value: .string)
        try cluster.waitUntilConsumed(groupID: config.applicationID, topics: ["events"], timeout: .seconds(120))
        #expect(first.close(timeout: .seconds(30)))
        let outputsBefore = try cluster.recordCount("latest-values")

        let applicationDirectory = "\(config.stateDir)/\(config.applicationID)"
        for task in ["0_0", "0_1"] {
            try FileManager.default.removeItem(atPath: "\(applicationDirectory)/\(task)")
        }
        _ = try filesystem.fill()
        try cluster.produce("events", Self.events(50..<100), key: .string, value: .string)

        let second = try KafkaStreams(topology: Self.latestValueTopology(), config: config, topicCreator: cluster.topicCreator)
        try second.start()
        defer { second.close() }
        try await expectStoppedByTheFullDisk(second)
        #expect(try cluster.recordCount("latest-values") == outputsBefore, "nothing processed")
    }
}
#endif
