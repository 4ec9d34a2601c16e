import ArgumentParser
import Foundation
import Logging
import RdKafka

/// End-to-end throughput and latency of the library against hand-written loops on librdkafka, in
/// one process run, on the same broker and the same pre-loaded input, and a memory check
/// (docs/benchmarks.md).
@main
struct StreamsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "streams-bench",
        abstract: "End-to-end throughput and latency of swift-kafka-streams against hand-written librdkafka loops.",
        discussion: """
            Rows: \(BenchRow.all.map(\.name).joined(separator: ", ")) (\(BenchRow.all.filter { !$0.byDefault }.map(\.name).joined(separator: ", ")) \
            only when named in --rows). Each row reads the same input topic in its own consumer group, checks \
            that it read every input record and wrote every expected output, then measures end-to-end latency \
            in a paced phase; the run exits non-zero if any row fails.
            """)

    @Option(help: "Input records (text lines of about 100 bytes).")
    var records = 200_000

    @Option(help: "'embedded' (librdkafka's mock cluster in this process) or host:port of a Kafka broker.")
    var broker = "embedded"

    @Option(help: "Write the results as JSON to this file.")
    var json: String?

    @Option(help: "Partitions of every topic (0: the fewest from 4 up that keep the embedded broker's partitions under its log limit).")
    var partitions = 0

    @Option(help: "compression.codec of every producer (none, lz4, zstd, ...).")
    var compression = "none"

    @Option(name: .customLong("consumer-property"), help: "key=value: a librdkafka property for every processing consumer, raw and streams (repeatable).")
    var consumerProperties: [String] = []

    @Option(name: .customLong("producer-property"), help: "key=value: a librdkafka property for every producer, raw and streams (repeatable).")
    var producerProperties: [String] = []

    @Option(help: "Comma-separated rows to run (default: all but memory-1m-keys and typed-passthrough).")
    var rows: String?

    @Option(help: "Commit interval of every row but wordcount-eos (100 ms), in milliseconds.")
    var commitIntervalMs = 1000

    @Option(help: "Rounds of the selected rows, run one after another; each row reports its median round (and the range of its ratios).")
    var `repeat` = 1

    @Option(help: "On the embedded broker: 'row' (default) gives every row of every round a fresh broker loaded with the same input; 'round' shares one among a round's rows; 'run' uses one for everything (later rows then run on a broker holding earlier rows' topics, which slows it).")
    var brokerPer: BrokerScope = .row

    @Flag(help: "The same as --broker-per run.")
    var sharedBroker = false

    @Option(help: "Seconds a row may take to write all its outputs.")
    var timeout = 120

    @Option(help: "Input records of each row's latency phase (0: no latency phase).")
    var latencyRecords = 2_000

    @Option(help: "Records per second of the latency phase.")
    var latencyRate = 1_000

    @Option(help: "fetch.wait.max.ms of every consumer on the embedded broker (its mock answers an empty fetch only after this wait, even when records arrive meanwhile).")
    var fetchWaitMs = 5

    @Option(help: "Distinct words of the memory-1m-keys row.")
    var memoryKeys = 1_000_000

    @Option(help: "stateStoreMemoryBytes of the memory-1m-keys row, in MiB (the budget checked).")
    var stateMemoryMb = 64

    @Option(help: "What the memory-1m-keys row's process may hold besides the state budget, in MiB.")
    var memoryConstantMb = MemoryCheck.defaultConstantMiB

    @Option(help: .hidden)
    var memoryChild: String?

    mutating func run() throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        if let memoryChild {
            try MemoryCheck.runChild(memoryChild)
            return
        }
        let selected = try selectedRows()
        let embedded = broker == "embedded"
        var producerExtras = try Self.properties(producerProperties)
        if compression != "none" { producerExtras["compression.codec"] = compression }
        var consumerExtras = try Self.properties(consumerProperties)
        if embedded && consumerExtras["fetch.wait.max.ms"] == nil {
            consumerExtras["fetch.wait.max.ms"] = String(fetchWaitMs)
        }
        let runID = "bench-\(Int(Date().timeIntervalSince1970))-\(ProcessInfo.processInfo.processIdentifier)"
        let stateDir = FileManager.default.temporaryDirectory.appendingPathComponent("streams-bench-\(runID)").path
        defer { try? FileManager.default.removeItem(atPath: stateDir) }

        let wordCountRows = selected.contains { $0.workload == .perWord }
        // Uncompressed, the exactly-once word count's topics are the largest (headers per word):
        // the partition count and the up-front log-limit check below allow for them.
        let exactlyOnceSized = producerExtras["compression.codec"] == nil && selected.contains { $0.name == "wordcount-eos" }
        // Rows with inputs of their own only: the shared input is left empty.
        let records = selected.contains { $0.workload != .ownInput } ? records : 0
        let partitionCount = choosePartitions(
            embedded: embedded, wordCount: wordCountRows, exactlyOnce: exactlyOnceSized, records: records)
        let rounds = max(1, `repeat`)
        // The embedded broker keeps every topic written to it, and slows as it fills (its CPU per
        // record about doubled over 20 rounds; the stateless row run after the raw row's
        // 3,000,000 outputs cost it ~40% more per record, docs/benchmarks-history.md): by default every
        // row run gets a fresh one with the same input, so that every row runs on the same
        // broker state.
        let scope: BrokerScope = embedded ? (sharedBroker ? .run : brokerPer) : .run
        let memory = MemoryCheck.Settings(
            keys: memoryKeys, stateMemoryBytes: stateMemoryMb * 1_048_576, constantBytes: memoryConstantMb * 1_048_576)
        let brokerAddress = broker  // inside `prepare`, `broker` is the round's

        var printedHeader = false
        /// A broker (a fresh one, or `reusing` one), the round's input topic loaded on it, a
        /// watcher: what rows run on.
        func prepare(round: Int, reusing previous: BenchBroker?) throws -> BenchContext {
            let broker = try previous ?? BenchBroker(brokerAddress)
            let settings = ClientSettings(
                bootstrapServers: broker.bootstrapServers, producerExtras: producerExtras,
                consumerExtras: consumerExtras, commitInterval: .milliseconds(commitIntervalMs))
            let roundID = round > 1 ? "\(runID)-r\(round)" : runID
            let inputTopic = "\(roundID)-input"
            try broker.createTopic(inputTopic, partitions: partitionCount)
            let quiet = printedHeader
            printedHeader = true
            if !quiet {
                print("streams-bench: \(records) records, \(partitionCount) partitions, compression \(compression), broker \(broker.description)")
                switch scope {
                case .row: print("rounds: \(rounds); every row of every round on a fresh embedded broker loaded with the same input")
                case .round: print("rounds: \(rounds), each on a fresh embedded broker loaded with the same input")
                case .run: break
                }
                print("librdkafka \(LibRdKafka.version), \(ProcessInfo.processInfo.activeProcessorCount) cores, commit interval \(commitIntervalMs) ms")
                print(
                    latencyRecords > 0
                        ? "latency phase: \(latencyRecords) records at \(latencyRate)/s per row; consumer fetch.wait.max.ms \(consumerExtras["fetch.wait.max.ms"] ?? "librdkafka's default")"
                        : "latency phase: off")
                if !consumerProperties.isEmpty || !producerProperties.isEmpty {
                    print("extra consumer properties \(consumerProperties), producer properties \(producerProperties)")
                }
            }
            let loadStart = ContinuousClock.now
            let input = try InputData.load(topic: inputTopic, partitions: partitionCount, records: records, settings: settings)
            if !quiet {
                print(
                    "input: \(input.recordCount) lines, \(input.valueBytes / 1_000_000) MB, \(input.wordCount) words "
                        + "(\(input.wordFrequencies.count) distinct), loaded in \(loadStart.duration(to: .now))")
            }
            let watcher = try TopicWatcher(settings: settings, runID: roundID)
            if broker.isEmbedded {
                let estimate = MockLogLimit.estimate(input, wordCount: wordCountRows, exactlyOnce: exactlyOnceSized)
                if !quiet {
                    print(
                        String(
                            format: "mock log limit: largest partition estimated at %.2f MiB uncompressed (%@) of %.0f MiB%@",
                            Double(estimate.largest) / 1_048_576, estimate.largestTopic,
                            Double(MockLogLimit.bytesPerPartition) / 1_048_576,
                            compression == "none" ? "" : "; \(compression)-compressed on the broker, so smaller"))
                }
                if compression == "none" && estimate.largest > MockLogLimit.bytesPerPartition * 9 / 10 {
                    throw BenchError(
                        "the embedded broker would delete records: raise --partitions, set --compression lz4 or lower --records")
                }
                try watcher.checkNothingDeleted(topics: [inputTopic], partitions: partitionCount)
            }
            return BenchContext(
                broker: broker, settings: settings, input: input, watcher: watcher, runID: roundID,
                timeout: .seconds(timeout), stateDir: stateDir,
                latency: LatencySettings(records: latencyRecords, rate: latencyRate), memory: memory)
        }

        let canResetPeak = ProcessMemory.resetPeak()
        var roundResults: [[RowResult]] = []
        var context: BenchContext?
        /// Replaces `context` with one on a fresh broker. The old watcher is closed before its
        /// broker goes (a consumer left on a destroyed mock logs errors).
        func freshContext(round: Int) throws {
            context?.watcher.close()
            context = nil
            context = try prepare(round: round, reusing: nil)
        }
        for round in 1...rounds {
            // Each round's rows write topics of their own (the round's id).
            switch scope {
            case .run: context = try prepare(round: round, reusing: context?.broker)
            case .round: try freshContext(round: round)
            case .row: break
            }
            // Even rounds run the rows in reverse order, so that no row always runs after its limit
            // row (on a shared broker, one that by then holds that row's topics too).
            let order = round % 2 == 0 ? Array(selected.indices.reversed()) : Array(selected.indices)
            var measured: [Int: RowResult] = [:]
            for index in order {
                let row = selected[index]
                if scope == .row { try freshContext(round: round) }
                print(rounds > 1 ? "running \(row.name) (round \(round) of \(rounds)) ..." : "running \(row.name) ...")
                fflush(nil)  // progress shows at once when the output is piped
                let result = measure(row, context: context!)
                if let error = result.error { print("  FAILED: \(error)") }
                measured[index] = result
            }
            roundResults.append(Self.withRatios(selected.indices.map { measured[$0]! }, of: selected))
        }
        // The watcher goes before its broker (a consumer left on a destroyed mock logs errors).
        context?.watcher.close()
        let results = selected.indices.map { index in RowResult.combining(roundResults.map { $0[index] }) }

        let header = [
            "date": ISO8601DateFormatter().string(from: Date()),
            "records": String(records), "partitions": String(partitionCount), "compression": compression,
            "broker": embedded ? "embedded" : brokerAddress, "librdkafka": LibRdKafka.version,
            "brokerPer": scope.rawValue,
            "consumerProperties": consumerProperties.joined(separator: ","),
            "producerProperties": producerProperties.joined(separator: ","),
            "commitIntervalMs": String(commitIntervalMs),
            "rounds": String(rounds),
            "fetchWaitMaxMs": consumerExtras["fetch.wait.max.ms"] ?? "default",
            "latency": latencyRecords > 0
                ? "\(latencyRecords) records at \(latencyRate)/s per row after its throughput phase; output consume time - input CreateTime"
                : "off",
            "cores": String(ProcessInfo.processInfo.activeProcessorCount),
            "rss": canResetPeak
                ? "peak RSS (VmHWM) reset before each row; process-wide, includes the embedded broker's topics"
                : "peak RSS (VmHWM) could not be reset: process-wide and monotonic across rows",
        ]
        let report = ResultReport(results: results, header: header)
        print("")
        print(report.table())
        print(
            canResetPeak
                ? "peak RSS: VmHWM of the whole process, reset before each row (it includes the embedded broker and what earlier rows left)."
                : "peak RSS: VmHWM of the whole process; it could not be reset, so it only grows from row to row.")
        if let json {
            try report.json().write(to: URL(fileURLWithPath: json))
            print("wrote \(json)")
        }
        let failed = results.filter { $0.error != nil }.map(\.name)
        if !failed.isEmpty {
            print("FAILED rows: \(failed.joined(separator: ", "))")
            throw ExitCode(1)
        }
    }

    private static func properties(_ pairs: [String]) throws -> [String: String] {
        var properties: [String: String] = [:]
        for pair in pairs {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { throw ValidationError("expected key=value, got \(pair)") }
            properties[String(parts[0])] = String(parts[1])
        }
        return properties
    }

    private func selectedRows() throws -> [BenchRow] {
        guard let rows else { return BenchRow.all.filter(\.byDefault) }
        let names = rows.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let known = Set(BenchRow.all.map(\.name))
        if let unknown = names.first(where: { !known.contains($0) }) {
            throw ValidationError("unknown row \(unknown); rows: \(BenchRow.all.map(\.name).joined(separator: ", "))")
        }
        return BenchRow.all.filter { names.contains($0.name) }
    }

    /// The partition count: as given, or on the embedded broker the fewest from 4 up that keep the
    /// estimated largest partition under 90% of the mock's limit even uncompressed. Input-sized
    /// topics are estimated from the records each partition gets by key (murmur2 of the
    /// ``InputData/keyCount`` keys, 2% added for line lengths), word-count topics from the average
    /// with 10% added.
    private func choosePartitions(embedded: Bool, wordCount: Bool, exactlyOnce: Bool, records: Int) -> Int {
        if partitions > 0 { return partitions }
        guard embedded else { return 4 }
        let budget = Double(MockLogLimit.bytesPerPartition * 9 / 10)
        let largestTopicBytes = Double(records) * MockLogLimit.bytesPerInputRecord(wordCount: wordCount, exactlyOnce: exactlyOnce) * 1.1
        var count = max(4, Int((largestTopicBytes / budget).rounded(.up)))
        let keys = min(records, InputData.keyCount)
        let keyBytes = (0..<keys).map { Array(InputData.key(of: $0).utf8) }
        while true {
            var perPartition = [Int](repeating: 0, count: count)
            for (index, key) in keyBytes.enumerated() {
                // Lines index, index + keys, ... share this key.
                perPartition[Murmur2.partition(of: key, partitions: count)] += (records - index + keys - 1) / keys
            }
            let largest = Double(perPartition.max() ?? 0) * MockLogLimit.bytesPerInputRecord(wordCount: false) * 1.02
            if largest <= budget { return count }
            count += 1
        }
    }

    /// Each row's throughput as a ratio to its limit row's in the same round (1 for limit rows;
    /// none when the limit row did not run or failed, or for rows with an input of their own).
    private static func withRatios(_ results: [RowResult], of rows: [BenchRow]) -> [RowResult] {
        zip(rows, results).map { row, result in
            var result = result
            guard result.error == nil else { return result }
            if row.workload == .ownInput {
                result.ratio = nil
            } else if let limit = row.limit {
                if let limitResult = results.first(where: { $0.name == limit }), limitResult.error == nil {
                    result.ratio = result.recordsPerSecond / limitResult.recordsPerSecond
                }
            } else {
                result.ratio = 1
            }
            return result
        }
    }

    private func measure(_ row: BenchRow, context: BenchContext) -> RowResult {
        var result = RowResult(name: row.name, limit: row.limit)
        _ = ProcessMemory.resetPeak()
        result.startRSSBytes = ProcessMemory.currentBytes
        let rowStart = ContinuousClock.now
        do {
            let run = try row.run(context)
            result.startupSeconds = RowRun.seconds(rowStart, run.first)
            let input = context.input
            // The watcher sees outputs every 10 ms: a row done within one poll counts as 10 ms.
            let seconds = max(run.seconds, 0.01)
            result.seconds = seconds
            result.recordsPerSecond = Double(run.inputRecords ?? input.recordCount) / seconds
            result.outputsPerSecond = Double(run.outputs) / seconds
            result.megabytesPerSecond = Double(run.inputBytes ?? input.valueBytes) / 1e6 / seconds
            result.peakRSSBytes = run.peakRSSBytes
            result.latency = run.latency
            result.memory = run.memory
            if let usage = run.threadUsage {
                let records = Double(run.inputRecords ?? input.recordCount)
                result.cpuPerRecord = RowResult.CPUPerRecord(
                    processing: Double(usage.processingRun) / records, processingWait: Double(usage.processingWait) / records,
                    processingSystem: Double(usage.processingSystem) / records,
                    processingFaultsPerThousand: Double(usage.processingMinorFaults) * 1000 / records,
                    librdkafka: Double(usage.librdkafkaRun) / records, broker: Double(usage.brokerRun) / records,
                    other: Double(usage.otherRun) / records)
            }
        } catch {
            result.error = "\(error)"
        }
        return result
    }
}

/// Which row runs share an embedded broker (``StreamsBench/brokerPer``).
enum BrokerScope: String, ExpressibleByArgument, CaseIterable {
    /// A fresh broker, loaded with the input, for every row of every round.
    case row
    /// One per round, shared by its rows.
    case round
    /// One for the whole run.
    case run
}
