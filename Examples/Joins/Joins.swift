import ArgumentParser
import Foundation
import KafkaStreams
import KafkaStreamsTesting
import Logging
import RdKafka
import ServiceLifecycle

/// Enriches page views with user profiles (stream-table join) and joins ad clicks to their
/// impressions within 10 s (stream-stream join).
///
/// Without `--bootstrap-servers` it starts an embedded broker, writes the sample profiles, page
/// views, impressions and clicks (with their timestamps), reads both output topics, prints
/// `key<TAB>value` lines (enriched views, a blank line, clicked impressions), and exits. With a
/// broker it processes records as they arrive (after writing the sample with `--produce-sample`)
/// until SIGINT or SIGTERM.
@main
struct Joins: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "joins",
        abstract: "Enriches page views with user profiles and joins ad clicks to impressions within 10 s.")

    @Option(help: "host:port of a Kafka broker; without it an embedded broker is started.")
    var bootstrapServers: String?

    @Flag(help: "With --bootstrap-servers: write the sample records to the input topics first.")
    var produceSample = false

    @Option(help: "The application id: consumer group, internal topic prefix and state directory.")
    var applicationID = "joins"

    @Option(help: "Directory for local state (default: a temporary directory).")
    var stateDir: String?

    @Flag(help: "Print the topology's description and exit.")
    var describe = false

    @Option(help: "Log level on stderr: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .warning

    func run() async throws {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        if describe {
            print(try JoinsTopology.build().describe(), terminator: "")
            return
        }
        if let bootstrapServers {
            if produceSample {
                try Self.produceTables(to: bootstrapServers)
                try Self.produceStreams(to: bootstrapServers)
            }
            let streams = try KafkaStreams(topology: JoinsTopology.build(), config: makeConfig(bootstrapServers: bootstrapServers))
            let group = ServiceGroup(
                configuration: .init(
                    services: [.init(service: streams)], gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: Logger(label: "joins")))
            try await group.run()
        } else {
            let (views, clicks) = try runEmbedded()
            let output = (views + [""] + clicks).joined(separator: "\n") + "\n"
            FileHandle.standardOutput.write(Data(output.utf8))
        }
    }

    private func makeConfig(bootstrapServers: String) -> StreamsConfig {
        var config = StreamsConfig(applicationID: applicationID, bootstrapServers: bootstrapServers)
        if let stateDir { config.stateDir = stateDir }
        return config
    }

    /// Runs the sample on an embedded broker; returns the enriched views and the clicked
    /// impressions as sorted `key<TAB>value` lines.
    func runEmbedded() throws -> (views: [String], clicks: [String]) {
        let cluster = try EmbeddedKafkaCluster()
        for topic in JoinsTopology.inputTopics + JoinsTopology.outputTopics {
            try cluster.createTopic(topic, partitions: 2)
        }
        var config = makeConfig(bootstrapServers: cluster.bootstrapServers)
        let defaults = cluster.streamsConfig(applicationID: applicationID)
        config.commitInterval = defaults.commitInterval
        config.consumerProperties = defaults.consumerProperties
        if stateDir == nil { config.stateDir = defaults.stateDir }
        let streams = try KafkaStreams(topology: JoinsTopology.build(), config: config, topicCreator: cluster.topicCreator)
        try streams.start()
        defer {
            streams.close()
            if stateDir == nil { try? streams.cleanUp() }
        }
        // The table and the impressions first: a view is enriched with the profile its task has
        // seen, and a click joins an impression already processed.
        try Self.produceTables(to: cluster.bootstrapServers)
        try cluster.waitUntilConsumed(
            groupID: applicationID, topics: [JoinsTopology.userProfiles, JoinsTopology.impressions], timeout: .seconds(120))
        try Self.produceStreams(to: cluster.bootstrapServers)
        let views = try cluster.readRecords(
            JoinsTopology.enrichedViews, key: .string, value: .string, count: JoinsTopology.expectedEnrichedViews.count,
            timeout: .seconds(120))
        let clicks = try cluster.readRecords(
            JoinsTopology.clickedImpressions, key: .string, value: .string,
            count: JoinsTopology.expectedClickedImpressions.count, timeout: .seconds(120))
        return (views.map { "\($0.key)\t\($0.value)" }.sorted(), clicks.map { "\($0.key)\t\($0.value)" }.sorted())
    }

    /// Writes the profiles and the impressions.
    static func produceTables(to bootstrapServers: String) throws {
        let producer = try makeProducer(bootstrapServers)
        for (user, profile) in JoinsTopology.sampleProfiles {
            try producer.produce(
                topic: JoinsTopology.userProfiles, key: Array(user.utf8), value: try Serde.json(JoinsTopology.UserProfile.self).serialize(profile),
                timestamp: JoinsTopology.base)
        }
        for (id, impression, timestamp) in JoinsTopology.sampleImpressions {
            try producer.produce(
                topic: JoinsTopology.impressions, key: Array(id.utf8),
                value: try Serde.json(JoinsTopology.Impression.self).serialize(impression), timestamp: timestamp)
        }
        try producer.flush(timeout: .seconds(30))
    }

    /// Writes the page views and the clicks.
    static func produceStreams(to bootstrapServers: String) throws {
        let producer = try makeProducer(bootstrapServers)
        for (user, view, timestamp) in JoinsTopology.sampleViews {
            try producer.produce(
                topic: JoinsTopology.pageViews, key: Array(user.utf8),
                value: try Serde.json(JoinsTopology.PageView.self).serialize(view), timestamp: timestamp)
        }
        for (id, click, timestamp) in JoinsTopology.sampleClicks {
            try producer.produce(
                topic: JoinsTopology.clicks, key: Array(id.utf8), value: try Serde.json(JoinsTopology.Click.self).serialize(click),
                timestamp: timestamp)
        }
        try producer.flush(timeout: .seconds(30))
    }

    private static func makeProducer(_ bootstrapServers: String) throws -> KafkaProducer {
        try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: bootstrapServers, ["partitioner": "murmur2_random"]))
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
