import ArgumentParser
import Foundation
import KafkaStreams
import KafkaStreamsTesting
import Logging
import RdKafka
import ServiceLifecycle

/// Counts page views per user per minute and writes only final counts.
///
/// Without `--bootstrap-servers` it starts an embedded broker, writes the sample page views (with
/// their timestamps), reads the final counts from `page-views-per-minute`, prints them as
/// `user<TAB>window<TAB>views` lines, and exits. With a broker it processes views as they arrive
/// (after writing the sample first with `--produce-sample`), printing each final count as it is
/// written, until SIGINT or SIGTERM.
@main
struct WindowedCounts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "windowed-counts",
        abstract: "Counts page views per user per minute (10 s grace) and writes final counts only.")

    @Option(help: "host:port of a Kafka broker; without it an embedded broker is started.")
    var bootstrapServers: String?

    @Flag(help: "With --bootstrap-servers: write the sample page views to page-views first.")
    var produceSample = false

    @Option(help: "The application id: consumer group, internal topic prefix and state directory.")
    var applicationID = "windowed-counts"

    @Option(help: "Directory for local state (default: a temporary directory).")
    var stateDir: String?

    @Flag(help: "Keep counts in memory instead of RocksDB.")
    var memory = false

    @Flag(help: "Print the topology's description and exit.")
    var describe = false

    @Option(help: "Embedded run: after the final counts, print this user's counts per window as the running app's window store holds them (an interactive query; open windows included).")
    var query: String?

    @Option(help: "Log level on stderr: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .warning

    func run() async throws {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let storeType: Materialized<String, Int64>.StoreType = memory ? .inMemory : .persistent
        if describe {
            print(try WindowedCountsTopology.build(storeType: storeType).describe(), terminator: "")
            return
        }
        if let bootstrapServers {
            try await runOnBroker(bootstrapServers, storeType: storeType)
        } else {
            var queried: [WindowedCountsTopology.FinalCount] = []
            let counts = try runEmbedded(storeType: storeType) { streams in
                if let query { queried = try Self.storedCounts(of: query, in: streams) }
            }
            var output = ""
            for count in counts {
                output += WindowedCountsTopology.line(user: count.user, windowStart: count.windowStart, views: count.views) + "\n"
            }
            if let query {
                output += "# \(query) per window in the store \(WindowedCountsTopology.storeName), queried while the app runs:\n"
                for count in queried {
                    output += WindowedCountsTopology.line(user: count.user, windowStart: count.windowStart, views: count.views) + "\n"
                }
            }
            FileHandle.standardOutput.write(Data(output.utf8))
        }
    }

    private func makeConfig(bootstrapServers: String) -> StreamsConfig {
        var config = StreamsConfig(applicationID: applicationID, bootstrapServers: bootstrapServers)
        if let stateDir { config.stateDir = stateDir }
        return config
    }

    /// `user`'s counts per window in the running application's window store (an interactive
    /// query): every window the store still holds (its retention is the window size plus grace),
    /// the open ones included, by window start.
    static func storedCounts(of user: String, in streams: KafkaStreams) throws -> [WindowedCountsTopology.FinalCount] {
        let store = try streams.store(.windowStore(name: WindowedCountsTopology.storeName, key: .string, value: .int64))
        return try store.fetch(user, timeFrom: 0, timeTo: .max).map {
            WindowedCountsTopology.FinalCount(user: user, windowStart: $0.key, views: $0.value)
        }
    }

    /// Runs the sample through the topology on an embedded broker and returns the final counts
    /// read from the output topic, by window then user. `whileRunning` is called once they are
    /// read, before the application closes.
    func runEmbedded(
        storeType: Materialized<String, Int64>.StoreType,
        whileRunning: ((KafkaStreams) throws -> Void)? = nil
    ) throws -> [WindowedCountsTopology.FinalCount] {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic(WindowedCountsTopology.inputTopic, partitions: 2)
        try cluster.createTopic(WindowedCountsTopology.outputTopic, partitions: 2)
        var config = makeConfig(bootstrapServers: cluster.bootstrapServers)
        let defaults = cluster.streamsConfig(applicationID: applicationID)
        config.commitInterval = defaults.commitInterval
        config.consumerProperties = defaults.consumerProperties
        if stateDir == nil { config.stateDir = defaults.stateDir }
        let streams = try KafkaStreams(
            topology: WindowedCountsTopology.build(storeType: storeType), config: config,
            topicCreator: cluster.topicCreator)
        try streams.start()
        defer {
            streams.close()
            if stateDir == nil { try? streams.cleanUp() }
        }
        try Self.produce(WindowedCountsTopology.sample, to: cluster.bootstrapServers)
        let expected = WindowedCountsTopology.expectedFinalCounts(WindowedCountsTopology.sample).count
        let records = try cluster.readRecords(
            WindowedCountsTopology.outputTopic, key: WindowedCountsTopology.windowedUser, value: .int64,
            count: expected, timeout: .seconds(120))
        try whileRunning?(streams)
        return records.map {
            WindowedCountsTopology.FinalCount(user: $0.key.key, windowStart: $0.key.window.start, views: $0.value)
        }.sorted()
    }

    private func runOnBroker(_ bootstrapServers: String, storeType: Materialized<String, Int64>.StoreType) async throws {
        if produceSample { try Self.produce(WindowedCountsTopology.sample, to: bootstrapServers) }
        let topology = try WindowedCountsTopology.build(storeType: storeType) { window, views in
            let line = WindowedCountsTopology.line(user: window.key, windowStart: window.window.start, views: views)
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
        let streams = try KafkaStreams(topology: topology, config: makeConfig(bootstrapServers: bootstrapServers))
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: streams)], gracefulShutdownSignals: [.sigterm, .sigint],
                logger: Logger(label: "windowed-counts")))
        try await group.run()
    }

    /// Writes page views in order, each with its own timestamp, keyed by user (partitioned as
    /// Java producers partition).
    static func produce(_ views: [WindowedCountsTopology.PageView], to bootstrapServers: String) throws {
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(bootstrapServers: bootstrapServers, ["partitioner": "murmur2_random"]))
        for view in views {
            try producer.produce(
                topic: WindowedCountsTopology.inputTopic, key: Array(view.user.utf8), value: Array(view.page.utf8),
                timestamp: view.timestamp)
        }
        try producer.flush(timeout: .seconds(30))
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
