import Foundation
import KafkaStreams
import KafkaStreamsTesting
import RdKafka
import Testing

@testable import WindowedCounts

/// The WindowedCounts example end to end on the embedded broker: final counts only, each
/// exactly once, across a restart that restores the suppression buffer from its changelog.
@Suite(.serialized) struct WindowedCountsIntegrationTests {
    typealias FinalCount = WindowedCountsTopology.FinalCount

    static let base: Int64 = 1_704_110_400_000

    /// The sample's final counts, worked out by hand: minute 0 (alice's late view at 12:00:40 is
    /// dropped, carol's out-of-order one at 12:00:55 is counted), minute 1, minute 2; minute 3 is
    /// still open.
    static let expected: [FinalCount] = [
        FinalCount(user: "alice", windowStart: base, views: 3),
        FinalCount(user: "bob", windowStart: base, views: 2),
        FinalCount(user: "carol", windowStart: base, views: 2),
        FinalCount(user: "alice", windowStart: base + 60_000, views: 2),
        FinalCount(user: "bob", windowStart: base + 60_000, views: 3),
        FinalCount(user: "carol", windowStart: base + 60_000, views: 1),
        FinalCount(user: "alice", windowStart: base + 120_000, views: 1),
        FinalCount(user: "carol", windowStart: base + 120_000, views: 1),
    ]

    @Test func modelOfTheSampleMatchesTheHandWorkedCounts() {
        #expect(WindowedCountsTopology.expectedFinalCounts(WindowedCountsTopology.sample) == Self.expected)
    }

    @Test func exampleRunsOnTheEmbeddedBroker() throws {
        let command = try WindowedCounts.parse([])
        #expect(try command.runEmbedded(storeType: .inMemory) == Self.expected)
    }

    /// `--query alice`: the running app's store holds alice's open window (her last view, which
    /// no final count covers yet) and, for the closed windows it still keeps, the final counts.
    @Test func exampleQueriesTheWindowStoreWhileRunning() throws {
        let command = try WindowedCounts.parse(["--query", "alice"])
        var stored: [FinalCount] = []
        let final = try command.runEmbedded(storeType: .persistent) { streams in
            stored = try WindowedCounts.storedCounts(of: "alice", in: streams)
        }
        #expect(final == Self.expected)
        let lastView = WindowedCountsTopology.sample.filter { $0.user == "alice" }.map(\.timestamp).max()!
        let openWindow = lastView / 60_000 * 60_000
        #expect(stored.last == FinalCount(user: "alice", windowStart: openWindow, views: 1), "the open window, not yet final")
        let closed = stored.dropLast()
        #expect(!closed.isEmpty, "the store still holds a closed window (retention: window plus grace)")
        for count in closed {
            #expect(final.contains(count), "a closed window's stored count is its final count: \(count)")
        }
        #expect(stored.map(\.windowStart) == stored.map(\.windowStart).sorted())
    }

    /// Window and session stores queried while the application runs (`KafkaStreams.store`).
    @Test func windowAndSessionStoresAreQueryableWhileRunning() async throws {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("clicks", partitions: 2)
        let builder = StreamsBuilder()
        let clicks = builder.stream("clicks", consumed: .with(key: .string, value: .string)).groupByKey()
        var perMinute = Materialized<String, Int64>.as("clicks-per-minute")
        perMinute.retention = .seconds(3_600)
        clicks.windowedBy(TimeWindows.ofSizeWithNoGrace(.seconds(60))).count(materialized: perMinute)
        clicks.windowedBy(SessionWindows.ofInactivityGapAndGrace(.seconds(30), .seconds(600)))
            .count(materialized: .as("click-sessions"))
        let config = cluster.streamsConfig(applicationID: "windowed-queries")
        let streams = try KafkaStreams(topology: try builder.build(), config: config, topicCreator: cluster.topicCreator)
        try streams.start()
        defer { streams.close() }
        try await waitUntil(timeout: .seconds(90), "application running") { streams.state == .running }

        let base = Self.base
        try cluster.produce("clicks", [("alice", "/a"), ("bob", "/a")], key: .string, value: .string, timestamp: base)
        try cluster.produce("clicks", [("alice", "/b")], key: .string, value: .string, timestamp: base + 20_000)
        try cluster.produce("clicks", [("alice", "/c")], key: .string, value: .string, timestamp: base + 90_000)
        let counts = try streams.store(.windowStore(name: "clicks-per-minute", key: .string, value: .int64))
        let sessions = try streams.store(.sessionStore(name: "click-sessions", key: .string, value: .int64))
        let expectedCounts = [
            KeyValue(Windowed(key: "alice", start: base, end: base + 60_000), Int64(2)),
            KeyValue(Windowed(key: "alice", start: base + 60_000, end: base + 120_000), 1),
            KeyValue(Windowed(key: "bob", start: base, end: base + 60_000), 1),
        ]
        let expectedSessions = [
            KeyValue(Windowed(key: "alice", start: base, end: base + 20_000), Int64(2)),
            KeyValue(Windowed(key: "alice", start: base + 90_000, end: base + 90_000), 1),
            KeyValue(Windowed(key: "bob", start: base, end: base), 1),
        ]
        // Queries see what the record cache has flushed, at the latest at the next commit.
        try await waitUntil(timeout: .seconds(60), "every click counted in both stores") {
            (try? counts.all()) == expectedCounts && (try? sessions.fetch(keyFrom: nil, keyTo: nil)) == expectedSessions
        }
        #expect(try counts.fetch("alice", timeFrom: base, timeTo: base + 60_000) == [KeyValue(base, 2), KeyValue(base + 60_000, 1)])
        #expect(try counts.fetch("bob", windowStart: base) == 1)
        #expect(try sessions.fetchSession("alice", sessionStart: base, sessionEnd: base + 20_000) == 2)
        #expect(throws: StreamsError.self) { _ = try streams.store(.keyValue(name: "clicks-per-minute", key: .string, value: .int64)) }
        #expect(streams.close(timeout: .seconds(30)))
    }

    /// Runs the topology until every produced view is consumed and committed, then closes it.
    func run(_ views: [WindowedCountsTopology.PageView], cluster: EmbeddedKafkaCluster, config: StreamsConfig) throws {
        let streams = try KafkaStreams(
            topology: WindowedCountsTopology.build(storeType: .persistent), config: config,
            topicCreator: cluster.topicCreator)
        try streams.start()
        defer { streams.close() }
        try WindowedCounts.produce(views, to: cluster.bootstrapServers)
        try cluster.waitUntilConsumed(
            groupID: config.applicationID, topics: [WindowedCountsTopology.inputTopic], timeout: .seconds(120))
        #expect(streams.close(timeout: .seconds(30)))
    }

    /// Every record of the output topic, counted from the partitions' offsets (no waiting).
    func outputRecordCount(_ cluster: EmbeddedKafkaCluster) throws -> Int64 {
        Int64(try cluster.recordCount(WindowedCountsTopology.outputTopic))
    }

    @Test func finalCountsExactlyOnceAcrossARestart() throws {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic(WindowedCountsTopology.inputTopic, partitions: 2)
        try cluster.createTopic(WindowedCountsTopology.outputTopic, partitions: 2)
        var config = cluster.streamsConfig(applicationID: "windowed-\(UUID().uuidString.prefix(8).lowercased())")
        config.cacheMaxBytes = 0
        defer { try? FileManager.default.removeItem(atPath: config.stateDir) }

        // The first run sees the views before 12:01:10: nothing is final yet (the first minute
        // closes at 12:01:10), so every count of the first minute waits in the buffer.
        let sample = WindowedCountsTopology.sample
        let split = try #require(sample.firstIndex { $0.timestamp >= Self.base + 70_000 })
        try run(Array(sample[..<split]), cluster: cluster, config: config)
        #expect(try outputRecordCount(cluster) == 0)

        // The second run, with fresh local state, restores the window store and the suppression
        // buffer from their changelogs, then the rest of the views close three minutes.
        var restarted = config
        restarted.stateDir = config.stateDir + "-restarted"
        defer { try? FileManager.default.removeItem(atPath: restarted.stateDir) }
        try run(Array(sample[split...]), cluster: cluster, config: restarted)

        #expect(try outputRecordCount(cluster) == Int64(Self.expected.count))
        let records = try cluster.readRecords(
            WindowedCountsTopology.outputTopic, key: WindowedCountsTopology.windowedUser, value: .int64,
            count: Self.expected.count, timeout: .seconds(30))
        let counts = records.map { FinalCount(user: $0.key.key, windowStart: $0.key.window.start, views: $0.value) }
        #expect(counts.sorted() == Self.expected)
        // A final count carries the time of the latest view in its window.
        let aliceFirstMinute = try #require(records.first { $0.key.key == "alice" && $0.key.window.start == Self.base })
        #expect(aliceFirstMinute.timestamp == Self.base + 58_000)
    }
}
