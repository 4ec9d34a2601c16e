import ArgumentParser
import Foundation
import KafkaStreams
import KafkaStreamsTesting
import Logging
import RdKafka
import ServiceLifecycle

/// Counts words of the `text-lines` topic into `word-counts`.
///
/// Without `--bootstrap-servers` it starts an embedded broker, writes the sample text (or the
/// lines of `--input-file`), waits until every line is processed, prints `word<TAB>count` lines
/// sorted by word, and exits. With a broker it processes lines as they arrive until SIGINT or
/// SIGTERM, then pauses, prints the counts of its local store, and shuts down.
@main
struct WordCount: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wordcount", abstract: "Counts the words of the text-lines topic into word-counts.")

    @Option(help: "host:port of a Kafka broker; without it an embedded broker is started.")
    var bootstrapServers: String?

    @Option(help: "A file whose lines are written to the input topic before processing.")
    var inputFile: String?

    @Option(help: "The topic of text lines.")
    var inputTopic = WordCountTopology.inputTopic

    @Option(help: "The topic the updated counts are written to.")
    var outputTopic = WordCountTopology.outputTopic

    @Option(help: "The application id: consumer group, internal topic prefix and state directory.")
    var applicationID = "wordcount"

    @Option(help: "Number of stream threads.")
    var threads = 1

    @Option(help: "Directory for local state (default: a temporary directory).")
    var stateDir: String?

    @Flag(help: "Process with exactly-once v2.")
    var exactlyOnce = false

    @Flag(help: "Keep counts in memory instead of RocksDB.")
    var memory = false

    @Option(help: "Commit interval in milliseconds (default: 30000, or 100 with --exactly-once).")
    var commitIntervalMs: Int?

    @Option(
        help: ArgumentHelp(
            "A librdkafka consumer setting, such as session.timeout.ms=6000 (repeatable).", valueName: "key=value"))
    var consumerProperty: [String] = []

    @Flag(help: "Print 'restored <store> <partition> <records>' to stderr each time a store partition is restored.")
    var printRestores = false

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
        let topology = try WordCountTopology.build(
            storeType: memory ? .inMemory : .persistent, inputTopic: inputTopic, outputTopic: outputTopic)
        if describe {
            print(topology.describe(), terminator: "")
            return
        }
        let lines = try inputLines()
        if let bootstrapServers {
            try await runOnBroker(bootstrapServers, topology: topology, lines: lines)
        } else {
            try runEmbedded(topology: topology, lines: lines ?? SampleText.lines)
        }
    }

    private func inputLines() throws -> [String]? {
        guard let inputFile else { return nil }
        let text = try String(contentsOfFile: inputFile, encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            .filter { !$0.isEmpty }
    }

    private func makeConfig(bootstrapServers: String) throws -> StreamsConfig {
        var config = StreamsConfig(applicationID: applicationID, bootstrapServers: bootstrapServers)
        config.numStreamThreads = threads
        config.processingGuarantee = exactlyOnce ? .exactlyOnceV2 : .atLeastOnce
        if let stateDir { config.stateDir = stateDir }
        if let commitIntervalMs { config.commitInterval = .milliseconds(commitIntervalMs) }
        for setting in consumerProperty {
            guard let equals = setting.firstIndex(of: "="), equals != setting.startIndex else {
                throw ValidationError("--consumer-property takes key=value, got \"\(setting)\"")
            }
            config.consumerProperties[String(setting[..<equals])] = String(setting[setting.index(after: equals)...])
        }
        if printRestores {
            config.stateRestoreListener = StateRestoreListener(onRestoreEnd: { _, partition, store, restored in
                FileHandle.standardError.write(Data("restored \(store) \(partition) \(restored)\n".utf8))
            })
        }
        return config
    }

    private func runEmbedded(topology: Topology, lines: [String]) throws {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic(inputTopic, partitions: 4)
        try cluster.createTopic(outputTopic, partitions: 4)
        var config = try makeConfig(bootstrapServers: cluster.bootstrapServers)
        let defaults = cluster.streamsConfig(applicationID: applicationID)
        if commitIntervalMs == nil { config.commitInterval = defaults.commitInterval }
        config.consumerProperties = defaults.consumerProperties.merging(config.consumerProperties) { _, set in set }
        if stateDir == nil { config.stateDir = defaults.stateDir }
        let streams = try KafkaStreams(topology: topology, config: config, topicCreator: cluster.topicCreator)
        try streams.start()
        try cluster.produce(
            inputTopic, lines.map { (String?.none, $0) }, key: .optional(.string), value: .string)
        if exactlyOnce {
            // The embedded broker does not store offsets committed through transactions: wait
            // for the store (which holds committed transactions only) to have counted every word.
            try Self.waitUntilCounted(lines.reduce(0) { $0 + WordCountTopology.words(in: $1).count }, by: streams)
        } else {
            try cluster.waitUntilConsumed(
                groupID: applicationID,
                topics: [inputTopic, "\(applicationID)-\(WordCountTopology.storeName)-repartition"],
                timeout: .seconds(120))
        }
        try printCounts(of: streams)
        streams.close()
        if stateDir == nil { try? streams.cleanUp() }
    }

    private func runOnBroker(_ bootstrapServers: String, topology: Topology, lines: [String]?) async throws {
        let config = try makeConfig(bootstrapServers: bootstrapServers)
        if let lines {
            try produceLines(lines, to: bootstrapServers)
        }
        let streams = try KafkaStreams(topology: topology, config: config)
        let printer = CountsPrinter(streams: streams)
        let group = ServiceGroup(
            configuration: .init(
                // Shut down in reverse order: the printer (pause, print) before the app closes.
                services: [
                    .init(service: streams),
                    .init(service: printer, successTerminationBehavior: .gracefullyShutdownGroup),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: Logger(label: "wordcount")))
        try await group.run()
    }

    private func produceLines(_ lines: [String], to bootstrapServers: String) throws {
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: bootstrapServers))
        for line in lines {
            try producer.produce(topic: inputTopic, key: nil, value: Array(line.utf8))
        }
        try producer.flush(timeout: .seconds(30))
    }

    private static func waitUntilCounted(_ words: Int, by streams: KafkaStreams, timeout: Duration = .seconds(120)) throws {
        let deadline = ContinuousClock.now + timeout
        var counted: Int64 = 0
        while ContinuousClock.now < deadline {
            if let store = try? streams.store(.keyValue(name: WordCountTopology.storeName, key: .string, value: .int64)),
                let all = try? store.all()
            {
                counted = all.reduce(0) { $0 + $1.value }
                if counted == Int64(words) { return }
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw ValidationError("timed out after \(timeout): the store counted \(counted) of \(words) words")
    }

    fileprivate static func printCounts(of streams: KafkaStreams) throws {
        let store = try streams.store(.keyValue(name: WordCountTopology.storeName, key: .string, value: .int64))
        let counts = try store.all().sorted { $0.key < $1.key }
        var output = ""
        for entry in counts { output += "\(entry.key)\t\(entry.value)\n" }
        FileHandle.standardOutput.write(Data(output.utf8))
    }

    private func printCounts(of streams: KafkaStreams) throws {
        try Self.printCounts(of: streams)
    }
}

/// On graceful shutdown, pauses the application (so the store stops changing), prints its counts,
/// then lets the service group close it. Registered before the streams service so that it is
/// shut down first.
struct CountsPrinter: Service {
    let streams: KafkaStreams

    func run() async throws {
        try? await gracefulShutdown()
        guard streams.state == .running || streams.state == .rebalancing else { return }
        streams.pause()
        try WordCount.printCounts(of: streams)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
