import Foundation
import KafkaStreams
import Logging
import RdKafka

/// Row `memory-1m-keys`: the RocksDB word count over ``Settings/keys`` distinct words, each
/// occurring twice, with its peak RSS checked against the state memory budget plus a stated
/// constant (docs/benchmarks.md, "Memory check").
///
/// The application runs in a child process (this executable again, `--memory-child`), so that its
/// RSS is its own: in this process the embedded broker holds every topic written (~180 MB for this
/// row alone), which no subtraction of a baseline could separate from the application's growth.
/// This process creates the topics (the internal ones too, on the embedded broker: the child's
/// admin client cannot create topics there), loads the input, watches the output, reads the
/// child's `VmHWM` from /proc, stops the child by closing its standard input, and checks the result.
enum MemoryCheck {
    static let name = "memory-1m-keys"

    /// Each distinct word occurs this many times: the second pass updates keys that RocksDB has
    /// mostly flushed to SST files by then, so it reads through the block cache.
    static let occurrences = 2

    /// Words per line: 12 words of 7 letters and 11 spaces make 95 bytes.
    static let wordsPerLine = 12

    /// The child application's consumer pre-fetch queue. The runtime's defaults
    /// (`queued.min.messages=200000`, `queued.max.messages.kbytes=262144`) let librdkafka hold up
    /// to 256 MiB of fetched records, proportional to the input rather than to the state; a
    /// memory-bounded deployment sets these, and the constant below counts them.
    static let consumerQueue = ["queued.min.messages": "50000", "queued.max.messages.kbytes": "32768"]

    /// The stated constant, in MiB: see docs/benchmarks.md, "Memory check".
    static let defaultConstantMiB = 96

    struct Settings: Sendable {
        /// Distinct words (keys of the count store).
        let keys: Int
        /// `StreamsConfig.stateStoreMemoryBytes` of the application: the budget checked.
        let stateMemoryBytes: Int
        /// What the process may hold besides the budget (see docs/benchmarks.md).
        let constantBytes: Int
    }

    /// What the row measured.
    struct Figures {
        let keys: Int
        let partitions: Int
        let budgetBytes: Int
        let constantBytes: Int
        /// The child's RSS just before `KafkaStreams.start()`: runtime, libraries, code.
        let baselineRSSBytes: Int
        /// The child's `VmHWM` when its outputs were complete.
        let peakAtCompletionBytes: Int
        /// The child's `VmHWM` after `close()` (the checked figure).
        let peakRSSBytes: Int
        var limitBytes: Int { budgetBytes + constantBytes }
    }

    /// What the child application is told (as JSON on its command line).
    struct ChildSpec: Codable {
        let bootstrapServers: String
        let input: String
        let output: String
        let applicationID: String
        let stateDir: String
        let stateMemoryBytes: Int
        let commitIntervalMs: Int
        let consumerProperties: [String: String]
        let producerProperties: [String: String]
        let resultPath: String
    }

    /// What the child reports when it stops.
    struct ChildResult: Codable {
        let rssBeforeStartBytes: Int
        let peakBeforeCloseBytes: Int
        let peakRSSBytes: Int
        let closed: Bool
        let error: String?
    }

    // MARK: Parent

    static func run(_ context: BenchContext) throws -> RowRun {
        let settings = context.memory
        let keys = settings.keys
        let partitions = choosePartitions(keys: keys, embedded: context.broker.isEmbedded)
        let input = context.topic(name, "input")
        let output = context.topic(name, "output")
        let applicationID = context.groupID(name)
        let repartition = "\(applicationID)-\(BenchTopologies.countStore)-repartition"
        let changelog = "\(applicationID)-\(BenchTopologies.countStore)-changelog"
        for topic in [input, output] { try context.broker.createTopic(topic, partitions: partitions) }
        if context.broker.isEmbedded {
            for topic in [repartition, changelog] { try context.broker.createTopic(topic, partitions: partitions) }
        }
        let loaded = try load(topic: input, keys: keys, settings: context.settings)
        let words = keys * occurrences
        print("  \(name): \(keys) distinct words × \(occurrences) in \(loaded.lines) lines (\(loaded.bytes / 1_000_000) MB), \(partitions) partitions")

        let resultPath = "\(context.stateDir)/\(name)-result.json"
        let spec = ChildSpec(
            bootstrapServers: context.settings.bootstrapServers, input: input, output: output, applicationID: applicationID,
            stateDir: "\(context.stateDir)/\(name)", stateMemoryBytes: settings.stateMemoryBytes,
            commitIntervalMs: Int(context.settings.commitInterval.components.seconds * 1000
                + context.settings.commitInterval.components.attoseconds / 1_000_000_000_000_000),
            consumerProperties: context.settings.consumerExtras.merging(consumerQueue) { _, new in new },
            producerProperties: context.settings.producerExtras, resultPath: resultPath)
        let child = try startChild(spec)
        let stdin = child.standardInput as? Pipe
        func stopChild() {
            try? stdin?.fileHandleForWriting.close()
            let deadline = ContinuousClock.now + .seconds(90)
            while child.isRunning && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.1) }
            if child.isRunning { child.terminate() }
        }
        let span: TopicWatcher.Span
        let peakAtCompletion: Int?
        do {
            span = try context.watcher.waitForRecords(
                topic: output, partitions: partitions, expected: words, timeout: context.timeout,
                watched: context.broker.isEmbedded ? [input, repartition, changelog] : []
            ) {
                child.isRunning ? nil : BenchError("the application process exited with status \(child.terminationStatus)")
            }
            peakAtCompletion = ProcessMemory.bytes("VmHWM:", pid: child.processIdentifier)
        } catch {
            stopChild()
            throw error
        }
        stopChild()
        guard !child.isRunning else { throw BenchError("the application process did not stop within 90 s") }
        guard child.terminationStatus == 0 else {
            throw BenchError("the application process exited with status \(child.terminationStatus) (its log is above)")
        }
        let result = try JSONDecoder().decode(ChildResult.self, from: Data(contentsOf: URL(fileURLWithPath: resultPath)))
        if let error = result.error { throw BenchError("the application failed: \(error)") }
        try context.expect(result.closed, "the application did not close within 60 s")

        try context.watcher.checkNothingDeleted(topics: [input, repartition, changelog, output], partitions: partitions)
        try context.watcher.checkConsumedAll(groupID: applicationID, topic: input, partitions: partitions, expected: loaded.lines)
        try context.watcher.checkConsumedAll(groupID: applicationID, topic: repartition, partitions: partitions, expected: words)
        try checkCounts(context, topic: output, partitions: partitions, keys: keys)

        let figures = Figures(
            keys: keys, partitions: partitions, budgetBytes: settings.stateMemoryBytes, constantBytes: settings.constantBytes,
            baselineRSSBytes: result.rssBeforeStartBytes, peakAtCompletionBytes: peakAtCompletion ?? result.peakBeforeCloseBytes,
            peakRSSBytes: max(result.peakRSSBytes, peakAtCompletion ?? 0))
        print(String(
            format: "  %@: application process peak RSS %.1f MiB (%.1f MiB when complete, %.1f MiB before start); limit %.0f MiB = budget %.0f MiB + constant %.0f MiB",
            name, mib(figures.peakRSSBytes), mib(figures.peakAtCompletionBytes), mib(figures.baselineRSSBytes),
            mib(figures.limitBytes), mib(figures.budgetBytes), mib(figures.constantBytes)))
        guard figures.peakRSSBytes <= figures.limitBytes else {
            throw BenchError(String(
                format: "peak RSS %.1f MiB of the application process exceeds the limit %.0f MiB (state budget %.0f MiB + constant %.0f MiB; %.1f MiB before start, %.1f MiB when the outputs were complete)",
                mib(figures.peakRSSBytes), mib(figures.limitBytes), mib(figures.budgetBytes), mib(figures.constantBytes),
                mib(figures.baselineRSSBytes), mib(figures.peakAtCompletionBytes)))
        }
        var run = RowRun(first: span.first, complete: span.complete, outputs: words, peakRSSBytes: figures.peakRSSBytes)
        run.inputRecords = loaded.lines
        run.inputBytes = loaded.bytes
        run.memory = figures
        return run
    }

    static func mib(_ bytes: Int) -> Double { Double(bytes) / 1_048_576 }

    /// The word of key `index`: 7 lowercase letters encoding `index × 0x9E3779B1 mod 2³²` (a
    /// bijection, so distinct indexes give distinct words, in no particular order).
    static func word(_ index: Int) -> [UInt8] {
        var value = UInt32(truncatingIfNeeded: index) &* multiplier
        var letters = [UInt8](repeating: 0, count: 7)
        for position in (0..<7).reversed() {
            letters[position] = 0x61 + UInt8(value % 26)
            value /= 26
        }
        return letters
    }

    /// The key index of a word, or `nil` if it is no word of ``word(_:)``.
    static func index(of word: UnsafeRawBufferPointer, keys: Int) -> Int? {
        guard word.count == 7 else { return nil }
        var value: UInt64 = 0
        for byte in word {
            guard byte >= 0x61, byte < 0x61 + 26 else { return nil }
            value = value * 26 + UInt64(byte - 0x61)
        }
        guard value <= UInt64(UInt32.max) else { return nil }
        let index = Int(UInt32(value) &* inverse)
        return index < keys ? index : nil
    }

    private static let multiplier: UInt32 = 0x9E37_79B1
    /// The inverse of ``multiplier`` modulo 2³² (Newton's iteration; each step doubles the bits).
    private static let inverse: UInt32 = {
        var inverse = multiplier
        for _ in 0..<5 { inverse = inverse &* (2 &- multiplier &* inverse) }
        return inverse
    }()

    /// The fewest partitions from 4 up that keep the largest partition of the count topics (output
    /// and changelog: word → 8-byte count, the largest per word) under 90% of the embedded
    /// broker's log limit, computed from murmur2 of every word.
    static func choosePartitions(keys: Int, embedded: Bool) -> Int {
        guard embedded else { return 12 }
        let hashes = (0..<keys).map { Murmur2.hash(word($0)) & 0x7FFF_FFFF }
        let perRecord = 7 + 8 + MockLogLimit.recordOverhead
        var count = 4
        while true {
            var perPartition = [Int](repeating: 0, count: count)
            for hash in hashes { perPartition[Int(hash) % count] += occurrences * perRecord }
            if (perPartition.max() ?? 0) <= MockLogLimit.bytesPerPartition * 9 / 10 { return count }
            count += 1
        }
    }

    /// Produces the input: the words in key order, twice, 12 to a line, lines keyed as the shared
    /// input is (line number modulo 10,000).
    static func load(topic: String, keys: Int, settings: ClientSettings) throws -> (lines: Int, bytes: Int) {
        let producer = try KafkaProducer(configuration: settings.producer(clientID: "\(name)-loader"))
        var line: [UInt8] = []
        var lines = 0
        var bytes = 0
        func send() throws {
            var key = InputData.key(of: lines)
            try key.withUTF8 { key in
                try line.withUnsafeBytes { value in
                    try InputData.produce(producer, topic: topic, key: UnsafeRawBufferPointer(key), value: value, timestamp: nil)
                }
            }
            bytes += line.count
            lines += 1
            line.removeAll(keepingCapacity: true)
        }
        var inLine = 0
        for _ in 0..<occurrences {
            for index in 0..<keys {
                if inLine > 0 { line.append(UInt8(ascii: " ")) }
                line.append(contentsOf: word(index))
                inLine += 1
                if inLine == wordsPerLine {
                    try send()
                    inLine = 0
                }
            }
        }
        if inLine > 0 { try send() }
        try producer.flush(timeout: .seconds(120))
        return (lines, bytes)
    }

    /// Reads the output back: one update per word occurrence, every word's last (largest) count
    /// equal to ``occurrences``, every one of the `keys` words present.
    static func checkCounts(_ context: BenchContext, topic: String, partitions: Int, keys: Int) throws {
        var latest = [UInt8](repeating: 0, count: keys)
        var malformed = 0
        let count = try context.watcher.readAll(topic: topic, partitions: partitions, timeout: context.timeout) { message in
            guard let key = message.key, let index = index(of: key, keys: keys), let value = message.value, value.count == 8 else {
                malformed += 1
                return
            }
            var count: Int64 = 0
            for byte in value { count = count << 8 | Int64(byte) }
            if count > Int64(latest[index]) { latest[index] = UInt8(clamping: count) }
        }
        try context.expect(malformed == 0, "\(topic) has \(malformed) records that are not a known word with an 8-byte count")
        try context.expect(count == keys * occurrences, "\(topic) holds \(count) count updates, expected \(keys * occurrences) (one per word)")
        let wrong = latest.indices.filter { latest[$0] != occurrences }
        try context.expect(
            wrong.isEmpty,
            "\(topic) has wrong final counts for \(wrong.count) of \(keys) words, e.g. "
                + wrong.prefix(3).map { "\(String(decoding: word($0), as: UTF8.self)): \(latest[$0])" }.joined(separator: "; "))
    }

    private static func startChild(_ spec: ChildSpec) throws -> Process {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--memory-child", String(decoding: try JSONEncoder().encode(spec), as: UTF8.self)]
        process.standardInput = Pipe()
        try process.run()
        return process
    }

    // MARK: Child

    /// The child process: runs the word count with the spec's budget until its standard input
    /// closes, then closes the application and writes a ``ChildResult``. Exits with status 3 if
    /// the application fails while running.
    static func runChild(_ json: String) throws {
        let spec = try JSONDecoder().decode(ChildSpec.self, from: Data(json.utf8))
        let settings = ClientSettings(
            bootstrapServers: spec.bootstrapServers, producerExtras: spec.producerProperties,
            consumerExtras: spec.consumerProperties, commitInterval: .milliseconds(spec.commitIntervalMs))
        var config = settings.streamsConfig(applicationID: spec.applicationID, stateDir: spec.stateDir)
        config.stateStoreMemoryBytes = spec.stateMemoryBytes
        config.cacheMaxBytes = 0
        let topology = try BenchTopologies.wordCount(input: spec.input, output: spec.output, storeType: .persistent)
        let rssBeforeStart = ProcessMemory.currentBytes ?? 0
        let streams = try KafkaStreams(
            topology: topology, config: config, topicCreator: .adminClient, logger: Logger(label: "streams-bench.\(spec.applicationID)"))
        try streams.start()
        let stop = DispatchSemaphore(value: 0)
        let reader = Thread {
            _ = FileHandle.standardInput.readDataToEndOfFile()
            stop.signal()
        }
        reader.start()
        while stop.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
            if streams.state == .error || streams.state == .pendingError {
                FileHandle.standardError.write(Data("\(name) application failed: \(streams.lastError.map { "\($0)" } ?? "\(streams.state)")\n".utf8))
                exit(3)
            }
        }
        let peakBeforeClose = ProcessMemory.peakBytes ?? 0
        let closed = streams.close(timeout: .seconds(60))
        let result = ChildResult(
            rssBeforeStartBytes: rssBeforeStart, peakBeforeCloseBytes: peakBeforeClose, peakRSSBytes: ProcessMemory.peakBytes ?? 0,
            closed: closed, error: streams.lastError.map { "\($0)" })
        try JSONEncoder().encode(result).write(to: URL(fileURLWithPath: spec.resultPath))
        try? streams.cleanUp()
    }
}
