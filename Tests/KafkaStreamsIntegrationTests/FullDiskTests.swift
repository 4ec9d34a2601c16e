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

    /// Waits until `streams` runs; fails at once, with its error, if it fails instead.
    func waitUntilRunning(_ streams: KafkaStreams, _ what: String) async throws {
        try await waitUntil(timeout: .seconds(120), "\(what) running") {
            if streams.state == .error { throw FailedToStart(error: streams.lastError) }
            return streams.state == .running
        }
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
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("events", partitions: 2)
        try cluster.createTopic("latest-values", partitions: 2)
        let filesystem = try SmallFilesystem(bytes: 4 * 1024 * 1024)
        var config = cluster.streamsConfig(applicationID: "full-disk")
        config.stateDir = "\(filesystem.path)/state"

        let first = try KafkaStreams(topology: Self.latestValueTopology(), config: config, topicCreator: cluster.topicCreator)
        try first.start()
        defer { first.close() }
        try await waitUntilRunning(first, "application")
        try cluster.produce("events", Self.events(0..<200), key: .string, value: .string)
        try cluster.waitUntilConsumed(groupID: config.applicationID, topics: ["events"], timeout: .seconds(120))

        let filler = try filesystem.fill()
        try cluster.produce("events", Self.events(200..<400), key: .string, value: .string)
        try await waitUntil(timeout: .seconds(120), "application stopped by the full disk (state \(first.state))") {
            first.state == .error
        }
        let error = try #require(first.lastError)
        guard case StreamsError.stateStore(let failedStore, let message) = error else {
            Issue.record("expected StreamsError.stateStore, got \(type(of: error)): \(error)")
            return
        }
        #expect(failedStore == "latest")
        #expect(message.contains("No space left on device"), "\(message)")
        #expect(first.close(timeout: .seconds(30)))

        try FileManager.default.removeItem(atPath: filler.path)
        let second = try KafkaStreams(topology: Self.latestValueTopology(), config: config, topicCreator: cluster.topicCreator)
        try second.start()
        defer { second.close() }
        try await waitUntilRunning(second, "restarted application")
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
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("events", partitions: 2)
        try cluster.createTopic("latest-values", partitions: 2)
        let filesystem = try SmallFilesystem(bytes: 4 * 1024 * 1024)
        var config = cluster.streamsConfig(applicationID: "full-disk-eos")
        config.stateDir = "\(filesystem.path)/state"
        config.processingGuarantee = .exactlyOnceV2

        let first = try KafkaStreams(topology: Self.latestValueTopology(), config: config, topicCreator: cluster.topicCreator)
        try first.start()
        defer { first.close() }
        try await waitUntilRunning(first, "application")
        try cluster.produce("events", Self.events(0..<200), key: .string, value: .string)
        try await waitUntil(timeout: .seconds(120), "the first batch's outputs") {
            try cluster.recordCount("latest-values") >= 200
        }

        let filler = try filesystem.fill()
        // More than the filesystem holds: RocksDB's write-ahead log, which exactly-once writes
        // through, has room preallocated for small writes.
        let padding = String(repeating: "x", count: 4096)
        try cluster.produce("events", Self.events(200..<400).map { ($0.0, $0.1 + padding) }, key: .string, value: .string)
        try await waitUntil(timeout: .seconds(120), "application stopped by the full disk (state \(first.state))") {
            first.state == .error
        }
        let error = try #require(first.lastError)
        guard case StreamsError.stateStore(let failedStore, let message) = error else {
            Issue.record("expected StreamsError.stateStore, got \(type(of: error)): \(error)")
            return
        }
        #expect(failedStore == "latest")
        #expect(message.contains("No space left on device"), "\(message)")
        #expect(first.close(timeout: .seconds(30)))

        try FileManager.default.removeItem(atPath: filler.path)
        let second = try KafkaStreams(topology: Self.latestValueTopology(), config: config, topicCreator: cluster.topicCreator)
        try second.start()
        defer { second.close() }
        try await waitUntilRunning(second, "restarted application")
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
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("events", partitions: 2)
        try cluster.createTopic("latest-values", partitions: 2)
        let filesystem = try SmallFilesystem(bytes: 1024 * 1024)
        var config = cluster.streamsConfig(applicationID: "full-disk-first-start")
        config.stateDir = "\(filesystem.path)/state"
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
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("events", partitions: 2)
        try cluster.createTopic("latest-values", partitions: 2)
        let filesystem = try SmallFilesystem(bytes: 4 * 1024 * 1024)
        var config = cluster.streamsConfig(applicationID: "full-disk-stores")
        config.stateDir = "\(filesystem.path)/state"

        let first = try KafkaStreams(topology: Self.latestValueTopology(), config: config, topicCreator: cluster.topicCreator)
        try first.start()
        defer { first.close() }
        try await waitUntilRunning(first, "application")
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
        try await waitUntil(timeout: .seconds(120), "application stopped by the full disk (state \(second.state))") {
            second.state == .error
        }
        let error = try #require(second.lastError)
        guard case StreamsError.stateStore(let store, let message) = error else {
            Issue.record("expected StreamsError.stateStore, got \(type(of: error)): \(error)")
            return
        }
        #expect(store == "latest")
        #expect(message.contains("No space left on device"), "\(message)")
        #expect(try cluster.recordCount("latest-values") == outputsBefore, "nothing processed")
    }
}
#endif
