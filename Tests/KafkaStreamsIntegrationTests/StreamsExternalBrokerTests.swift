import Foundation
import KafkaStreams
import KafkaStreamsTesting
import RdKafka
import Testing

/// The word count against a real Kafka-compatible broker (Tansu in CI, see docs/testing.md):
/// internal topics through the admin API, and a restart that restores state.
@Suite(
    .enabled(
        if: ProcessInfo.processInfo.environment["KAFKA_BOOTSTRAP_SERVERS"] != nil,
        "KAFKA_BOOTSTRAP_SERVERS is not set: start a broker with scripts/broker"),
    .serialized)
struct StreamsExternalBrokerTests {
    let bootstrapServers = ProcessInfo.processInfo.environment["KAFKA_BOOTSTRAP_SERVERS"] ?? ""

    func config(applicationID: String, stateDir: String) -> StreamsConfig {
        var config = StreamsConfig(applicationID: applicationID, bootstrapServers: bootstrapServers)
        config.commitInterval = .milliseconds(100)
        config.stateDir = stateDir
        config.consumerProperties = ["session.timeout.ms": "6000", "heartbeat.interval.ms": "2000"]
        return config
    }

    func topology(input: String, output: String) throws -> Topology {
        let builder = StreamsBuilder()
        builder.stream(input, consumed: .with(key: .optional(.string), value: .string))
            .flatMapValues { line in line.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init) }
            .groupBy(grouped: .with(key: .string, value: .string)) { _, word in word }
            .count(materialized: .as("counts"))
            .toStream()
            .to(output, produced: .with(key: .string, value: .int64))
        return try builder.build()
    }

    func produce(_ lines: [String], to topic: String) throws {
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: bootstrapServers))
        for line in lines { try producer.produce(topic: topic, key: nil, value: Array(line.utf8)) }
        try producer.flush(timeout: .seconds(30))
    }

    /// Runs the app until its store holds `expected`, then returns its counts.
    func runUntil(_ expected: [String: Int64], config: StreamsConfig, topology: Topology) async throws -> [String: Int64] {
        let streams = try KafkaStreams(topology: topology, config: config)
        try streams.start()
        defer { streams.close() }
        var counts: [String: Int64] = [:]
        try await waitUntil(timeout: .seconds(90), "counts reach \(expected), have \(counts)") {
            guard streams.state == .running, let store = try? streams.store(.keyValue(name: "counts", key: .string, value: .int64)) else {
                return false
            }
            counts = Dictionary(uniqueKeysWithValues: (try? store.all())?.map { ($0.key, $0.value) } ?? [])
            return counts == expected
        }
        #expect(streams.close(timeout: .seconds(30)))
        return counts
    }

    @Test func wordCountRestartsWithRestoredState() async throws {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let input = "text-lines-\(suffix)"
        let output = "word-counts-\(suffix)"
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: bootstrapServers))
        try admin.createTopics(
            [NewTopic(name: input, partitions: 2, replicationFactor: 1), NewTopic(name: output, partitions: 2, replicationFactor: 1)],
            timeout: .seconds(30))
        let stateDir = FileManager.default.temporaryDirectory.appendingPathComponent("external-\(suffix)").path
        let config = config(applicationID: "wordcount-\(suffix)", stateDir: stateDir)
        let first = ["kafka streams in swift", "streams of records"]
        let second = ["swift records", "kafka"]

        try produce(first, to: input)
        _ = try await runUntil(WordCountIntegrationTests.expectedCounts(first), config: config, topology: topology(input: input, output: output))

        // The changelog topic was created through the admin API, compacted.
        let topics = try admin.describeTopics(["wordcount-\(suffix)-counts-changelog"], timeout: .seconds(10))
        #expect(topics.first?.partitions.count == 2)

        // Restart with the local state gone: everything comes back from the changelog.
        try FileManager.default.removeItem(atPath: stateDir)
        try produce(second, to: input)
        let counts = try await runUntil(
            WordCountIntegrationTests.expectedCounts(first + second), config: config, topology: topology(input: input, output: output))
        #expect(counts == WordCountIntegrationTests.expectedCounts(first + second))
    }
}
