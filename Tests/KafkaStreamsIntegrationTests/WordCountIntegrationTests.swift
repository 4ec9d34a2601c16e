import Foundation
import KafkaStreams
import KafkaStreamsTesting
import Testing

/// The word count end to end on the embedded broker.
@Suite(.serialized) struct WordCountIntegrationTests {
    static func wordCountTopology(
        storeType: Materialized<String, Int64>.StoreType = .persistent, input: String = "text-lines",
        output: String = "word-counts"
    ) throws -> Topology {
        let builder = StreamsBuilder()
        builder.stream(input, consumed: .with(key: .optional(.string), value: .string))
            .flatMapValues { line in line.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init) }
            .groupBy(grouped: .with(key: .string, value: .string)) { _, word in word }
            .count(materialized: .as("counts", storeType: storeType))
            .toStream()
            .to(output, produced: .with(key: .string, value: .int64))
        return try builder.build()
    }

    static let lines = [
        "the quick brown fox", "jumps over the lazy dog", "the dog barks", "a fox runs", "the end",
    ]

    static func expectedCounts(_ lines: [String]) -> [String: Int64] {
        var counts: [String: Int64] = [:]
        for line in lines {
            for word in line.lowercased().split(whereSeparator: { !$0.isLetter }) { counts[String(word), default: 0] += 1 }
        }
        return counts
    }

    /// Every combination of cluster kind (embedded, and external when `KAFKA_BOOTSTRAP_SERVERS`
    /// is set) and thread count.
    static let clustersAndThreads: [(KafkaTestClusters.Kind, Int)] = KafkaTestClusters.available.flatMap { kind in
        [1, 2].map { (kind, $0) }
    }

    @Test(arguments: clustersAndThreads)
    func countsEveryWordExactly(kind: KafkaTestClusters.Kind, threads: Int) async throws {
        let cluster = try KafkaTestClusters.make(kind)
        let id = "wordcount-\(threads)-\(UUID().uuidString.prefix(8).lowercased())"
        let (input, output) = ("\(id)-lines", "\(id)-counts")
        try cluster.createTopic(input, partitions: 4)
        try cluster.createTopic(output, partitions: 4)
        var config = cluster.streamsConfig(applicationID: id)
        config.numStreamThreads = threads
        config.cacheMaxBytes = 0  // every count update reaches the output topic
        let streams = try KafkaStreams(
            topology: Self.wordCountTopology(input: input, output: output), config: config,
            topicCreator: cluster.topicCreator)
        try streams.start()
        defer { streams.close() }
        // Every thread has its tasks before the input arrives. Otherwise the second thread's join
        // can make the first one's commits fail (the group is rebalancing), and the records since
        // its last commit are processed again by their new owner: at least once, the counts in
        // the changelog and store then include them twice, which is allowed but not exact.
        try await waitUntil(timeout: .seconds(90), "running with every thread assigned") { streams.state == .running }
        // Stream threads carry their name for the operating system (top -H, perf, gdb).
        if let names = threadNamesOfThisProcess() {
            #expect(names.contains("StreamThread-\(threads - 1)"), "thread names: \(names.sorted())")
        }
        try cluster.produce(input, Self.lines.map { (String?.none, $0) }, key: .optional(.string), value: .string)

        let expected = Self.expectedCounts(Self.lines)
        let total = expected.values.reduce(0, +)
        let records = try cluster.readRecords(output, key: .string, value: .int64, count: Int(total), timeout: .seconds(90))
        // At least once: a rebalance while the second thread joins can fail a commit, and the
        // records since the last commit are then processed again (more updates, same last counts).
        try #require(records.count >= Int(total), "read \(records.count) of \(total) count updates")
        var latest: [String: Int64] = [:]
        for record in records { latest[record.key] = max(latest[record.key] ?? 0, record.value) }
        #expect(latest == expected)

        // Interactive query of the local store sees the same counts once running.
        try await waitUntil(timeout: .seconds(90), "running") { streams.state == .running }
        let store = try streams.store(.keyValue(name: "counts", key: .string, value: .int64))
        try await waitUntil(timeout: .seconds(30)) { (try? store.get("the")) == expected["the"] }
        #expect(try store.get("fox") == 2)
        #expect(streams.close(timeout: .seconds(30)))
        #expect(streams.state == .notRunning)
    }

    @Test func recordCacheCoalescesUpdatesAndKeepsFinalCounts() async throws {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("text-lines", partitions: 1)
        try cluster.createTopic("word-counts", partitions: 1)
        var config = cluster.streamsConfig(applicationID: "cached")
        config.commitInterval = .seconds(60)  // only the pause below commits (and flushes the cache)
        let lines = Array(repeating: "hot hot cold", count: 50)
        try cluster.produce("text-lines", lines.map { (String?.none, $0) }, key: .optional(.string), value: .string)
        let streams = try KafkaStreams(topology: Self.wordCountTopology(), config: config, topicCreator: cluster.topicCreator)
        try streams.start()
        defer { streams.close() }
        try await waitUntil(timeout: .seconds(30), "running") { streams.state == .running }
        // Wait until the aggregation has seen every word (the store reads through the cache flush
        // at pause), then pause: the commit flushes the cache once.
        try await waitUntil(timeout: .seconds(60), "all lines consumed") {
            (try? cluster.readRecords("text-lines", key: .optional(.string), value: .string, count: 50, timeout: .seconds(1)).count) == 50
        }
        try cluster.waitUntilConsumed(groupID: "cached", topics: ["text-lines"], timeout: .seconds(120))
        _ = streams.pause()
        let store = try streams.store(.keyValue(name: "counts", key: .string, value: .int64))
        try await waitUntil(timeout: .seconds(30), "counts flushed") { (try? store.get("hot")) == 100 }
        #expect(try store.get("cold") == 50)
        let updates = try cluster.readRecords("word-counts", key: .string, value: .int64, count: 150, timeout: .seconds(3))
        var latest: [String: Int64] = [:]
        for update in updates { latest[update.key] = update.value }
        #expect(latest == ["hot": 100, "cold": 50])
        #expect(updates.count < 150, "the cache should have coalesced some of the 150 updates, got \(updates.count)")
    }

    @Test func missingSourceTopicIsNamed() throws {
        let cluster = try EmbeddedKafkaCluster()
        let streams = try KafkaStreams(
            topology: Self.wordCountTopology(), config: cluster.streamsConfig(applicationID: "missing"),
            topicCreator: cluster.topicCreator)
        #expect {
            try streams.start()
        } throws: { error in
            guard case StreamsError.missingSourceTopics(let topics) = error else { return false }
            return topics == ["text-lines"]
        }
    }
}

/// Polls `condition` until it holds or `timeout` passes; fails with a message otherwise.
///
/// The condition is checked once more after the deadline: tests that block the cooperative
/// pool can keep this task from waking for most of the timeout, and a condition that came true
/// meanwhile must not be reported as a time-out.
func waitUntil(
    timeout: Duration, _ message: String = "condition not met", _ condition: () throws -> Bool,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try condition() { return }
        guard ContinuousClock.now < deadline else { break }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("timed out after \(timeout): \(message)", sourceLocation: sourceLocation)
    throw CancellationError()
}

/// The operating-system names of this process's threads, or `nil` where `/proc` does not list them.
func threadNamesOfThisProcess() -> Set<String>? {
    guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") else { return nil }
    var names: Set<String> = []
    for task in tasks {
        guard let name = try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8) else { continue }
        names.insert(name.trimmingCharacters(in: .newlines))
    }
    return names
}
