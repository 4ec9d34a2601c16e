import ArgumentParser
import Foundation
import Logging
import RdKafka

/// The crash test of exactly-once (docs/testing.md, "Crash test"): runs the `wordcount` example as a
/// child process against a real broker, SIGKILLs it at seeded random points and restarts it on the
/// same state directory, fences it once with a zombie producer of its transactional id, then checks
/// the final counts of its store and of its output topic against the reference counts of the input.
@main
struct CrashTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eos-crash-test",
        abstract: "Kills the word count at random points and checks that its counts stay exact (or, at-least-once, complete).")

    enum Guarantee: String, ExpressibleByArgument, CaseIterable {
        case exactlyOnce = "exactly-once"
        case atLeastOnce = "at-least-once"
    }

    @Option(help: "host:port of the broker (default: $KAFKA_BOOTSTRAP_SERVERS).")
    var bootstrapServers: String?

    @Option(help: "Path of the built wordcount executable.")
    var wordcount: String

    @Option(help: "exactly-once or at-least-once.")
    var guarantee: Guarantee = .exactlyOnce

    @Option(help: "Number of input lines (3 to 15 words each).")
    var lines = 3000

    @Option(help: "Number of SIGKILLs (at least 5); the app is restarted after each.")
    var kills = 5

    @Option(help: "Seed of the input and of the kill schedule (default: random, printed).")
    var seed: UInt64?

    @Option(help: "Seconds the whole test may take; it fails when they run out.")
    var timeout = 240

    @Option(help: "Longest time, in seconds, from a run's first input to its SIGKILL.")
    var maxKillDelay = 2.0

    @Option(help: "Commit interval of the app in milliseconds (default: the app's own under exactly-once, 250 at-least-once).")
    var commitIntervalMs: Int?

    @Option(help: "session.timeout.ms of the app's consumer: a killed instance blocks the group's next rebalance that long.")
    var sessionTimeoutMs = 2000

    @Option(help: "Directory for the state and the child's logs (default: a new temporary directory).")
    var workDir: String?

    @Flag(help: "Keep the work directory and the topics after a successful run.")
    var keep = false

    func validate() throws {
        guard kills >= 5 else { throw ValidationError("--kills must be at least 5, got \(kills)") }
        guard lines >= kills + 1 else { throw ValidationError("--lines must be at least --kills + 1") }
        guard maxKillDelay > 0.05 else { throw ValidationError("--max-kill-delay must be above 0.05") }
    }

    func run() throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .error
            return handler
        }
        killChildOnTermination()
        guard let bootstrap = bootstrapServers ?? ProcessInfo.processInfo.environment["KAFKA_BOOTSTRAP_SERVERS"] else {
            throw ValidationError("no broker: pass --bootstrap-servers or set KAFKA_BOOTSTRAP_SERVERS")
        }
        guard FileManager.default.isExecutableFile(atPath: wordcount) else {
            throw ValidationError("--wordcount \(wordcount) is not an executable file")
        }
        var harness = try Harness(options: self, bootstrapServers: bootstrap)
        do {
            try harness.run()
        } catch {
            harness.stopChild()
            emit("crash-test: FAILED (\(guarantee.rawValue)): \(error)")
            emit("crash-test: logs and state kept in \(harness.workDir)")
            throw ExitCode.failure
        }
        emit("crash-test: PASSED (\(guarantee.rawValue)) in \(Harness.seconds(ContinuousClock.now - harness.started)) s")
        if keep {
            emit("crash-test: kept \(harness.workDir) and the topics of \(harness.applicationID)")
        } else {
            harness.cleanUp()
        }
    }
}

/// What one run of the app restored, from its `restored <store> <partition> <records>` lines.
struct RunRecord {
    var index: Int
    var ending = ""
    /// Restored records of the restore at start (before the harness fenced the app, if it did).
    var restoredAtStart: [(partition: Int32, records: Int)] = []
    /// Restored records of later restores in the same run (after fencing, for example).
    var restoredLater: [(partition: Int32, records: Int)] = []
    /// Records in the changelog when the run started: what a full restore would have read.
    var changelogAtStart: Int?

    var totalAtStart: Int { restoredAtStart.reduce(0) { $0 + $1.records } }
    var totalLater: Int { restoredLater.reduce(0) { $0 + $1.records } }
}

struct Harness {
    let options: CrashTest
    let started = ContinuousClock.now
    let deadline: ContinuousClock.Instant
    let seed: UInt64
    let applicationID: String
    let inputTopic: String
    let outputTopic: String
    let changelogTopic: String
    let repartitionTopic: String
    /// Receives the zombie's transaction (exactly-once only).
    let zombieTopic: String
    /// The zombie producers, by transactional id (see ``transactionalIDsOfThread0()``).
    var zombies: [(id: String, producer: KafkaProducer)] = []
    let workDir: String
    let stateDir: String
    let logDir: String
    let kafka: CrashKafka
    let input: CrashInput
    let partitions: Int32 = 4
    var schedule: SeededGenerator
    var child: WordCountChild?
    var runs: [RunRecord] = []
    var exactlyOnce: Bool { options.guarantee == .exactlyOnce }

    init(options: CrashTest, bootstrapServers: String) throws {
        self.options = options
        deadline = started + .seconds(options.timeout)
        seed = options.seed ?? UInt64.random(in: 0...UInt64(UInt32.max))
        let tag = UUID().uuidString.prefix(8).lowercased()
        applicationID = "crash-\(options.guarantee == .exactlyOnce ? "eos" : "alos")-\(tag)"
        inputTopic = "\(applicationID)-text-lines"
        outputTopic = "\(applicationID)-word-counts"
        changelogTopic = "\(applicationID)-counts-changelog"
        repartitionTopic = "\(applicationID)-counts-repartition"
        zombieTopic = "\(applicationID)-zombie"
        workDir = options.workDir
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("crash-test-\(tag)").path
        stateDir = "\(workDir)/state"
        logDir = "\(workDir)/logs"
        try FileManager.default.createDirectory(atPath: logDir, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
        var logger = Logger(label: "crash-test")
        logger.logLevel = .error
        kafka = CrashKafka(bootstrapServers: bootstrapServers, logger: logger)
        input = CrashInput(lines: options.lines, seed: seed)
        schedule = SeededGenerator(seed: seed ^ 0x5DEE_CE66_D1CE_5EED)
    }

    static func seconds(_ duration: Duration) -> String {
        let (s, attoseconds) = duration.components
        return String(format: "%.1f", Double(s) + Double(attoseconds) / 1e18)
    }

    func say(_ message: String) {
        emit("crash-test [\(Self.seconds(ContinuousClock.now - started)) s]: \(message)")
    }

    var remaining: Duration { ContinuousClock.now < deadline ? ContinuousClock.now.duration(to: deadline) : .zero }

    func checkTime(_ what: String) throws {
        if ContinuousClock.now >= deadline {
            throw CrashTestFailure("--timeout \(options.timeout) s ran out while \(what)")
        }
    }

    func stopChild() {
        guard let child, child.isRunning else { return }
        child.signal(SIGKILL)
        _ = child.waitForExit(timeout: .seconds(10))
    }

    func cleanUp() {
        kafka.deleteTopics([inputTopic, outputTopic, changelogTopic, repartitionTopic] + (exactlyOnce ? [zombieTopic] : []))
        try? FileManager.default.removeItem(atPath: workDir)
    }

    // MARK: - The test

    mutating func run() throws {
        say(
            "\(options.guarantee.rawValue): \(input.lines.count) lines, \(input.totalWords) words, "
                + "\(input.reference.count) distinct; \(options.kills) kills; seed \(seed); application \(applicationID); "
                + "work directory \(workDir)")
        try kafka.createTopics([inputTopic, outputTopic], partitions: partitions)
        if exactlyOnce { try kafka.createTopics([zombieTopic], partitions: 1) }

        // Each run is fed input once its tasks are assigned, 25 lines every 50 ms up to its share
        // (lines / (kills + 1)), and killed at a random moment in the first `--max-kill-delay`
        // seconds: while lines arrive, while it processes or commits them, or once it is idle.
        // Some runs are killed earlier instead, during startup, group join or restoration. Lines a
        // run was not fed are fed to the next ones; the final run gets the rest.
        let feeder = try kafka.feeder(topic: inputTopic)
        let share = input.lines.count / (options.kills + 1)
        var cursor = 0
        for index in 0...options.kills {
            try checkTime("starting run \(index)")
            var record = RunRecord(index: index)
            if index > 0 { record.changelogAtStart = try changelogRecords() }
            let child = try launch(run: index)
            self.child = child
            let isLast = index == options.kills
            if !isLast && index > 0 && Double.random(in: 0..<1, using: &schedule) < 0.2 {
                let delay = Double.random(in: 0.2...3.0, using: &schedule)
                try sleep(delay, watching: child)
                try child.killNow()
                record.ending = "SIGKILL \(String(format: "%.2f", delay)) s after launch (during startup, before any input)"
                record.restoredAtStart = restored(by: child)
                report(record)
                runs.append(record)
                continue
            }
            let assigned = try waitForAssignment(child)
            if isLast {
                try finish(child, lines: input.lines[cursor...], feeder: feeder, record: &record)
                runs.append(record)
                break
            }
            let killAfter = Double.random(in: 0.05...options.maxKillDelay, using: &schedule)
            let fedFrom = cursor
            let begin = ContinuousClock.now
            var tick = begin
            while ContinuousClock.now - begin < .milliseconds(Int(killAfter * 1000)) {
                let count = min(25, share - (cursor - fedFrom), input.lines.count - cursor)
                if count > 0 {
                    try feeder.produce(input.lines[cursor..<(cursor + count)])
                    cursor += count
                }
                tick += .milliseconds(50)
                try sleep(until: min(tick, begin + .milliseconds(Int(killAfter * 1000))), watching: child)
            }
            guard child.isRunning else { throw unexpectedExit(child) }
            try child.killNow()
            let fedAll = cursor - fedFrom == share
            record.ending =
                "SIGKILL \(String(format: "%.2f", killAfter)) s after the first input, "
                + (fedAll ? "all \(share) lines of its share fed" : "while feeding (\(cursor - fedFrom) of \(share) lines fed)")
                + " (assigned \(Self.seconds(assigned)) s after launch)"
            record.restoredAtStart = restored(by: child)
            report(record)
            runs.append(record)
        }
        try verify()
    }

    /// The last run: fed the rest of the input, fenced once (exactly-once) in the middle of it,
    /// then left running until the output topic shows the reference.
    ///
    /// The fence comes once the app has processed the first half, between transactions: when a
    /// producer is fenced while its records are in flight, Tansu 0.6 can append some of them
    /// after aborting its transaction and then never closes that transaction, so every
    /// `read_committed` reader stops at it for good (seen in about one run in twelve; no client
    /// can end another epoch's transaction). Fencing in the middle of a transaction is covered
    /// by `ExactlyOnceIntegrationTests.fencedProducerIsReplacedAndTasksRejoin`.
    mutating func finish(
        _ child: WordCountChild, lines: ArraySlice<String>, feeder: Feeder, record: inout RunRecord
    ) throws {
        let rest = Array(lines)
        let half = rest.count / 2
        record.restoredAtStart = restored(by: child)
        try feeder.produce(rest[..<half])
        if exactlyOnce {
            let delay = Double.random(in: 0.05...0.5, using: &schedule)
            try waitUntilProcessed(input.lines[..<(lines.startIndex + half)], by: child)
            try sleep(delay, watching: child)
            let ids = try transactionalIDsOfThread0()
            let linesBefore = restoredLines(of: child).count
            for id in ids { zombies.append((id, try kafka.fence(transactionalID: id))) }
            say(
                "run \(record.index): fenced the app's producer \(String(format: "%.2f", delay)) s after it had processed the first \(half) lines: "
                    + "a zombie producer called initTransactions with transactional.id \(ids.joined(separator: " (and with "))\(ids.count > 1 ? ")" : "")")
            record.restoredAtStart = Array(restored(by: child).prefix(linesBefore))
        } else {
            say("run \(record.index): no fencing (at-least-once has no transactional producer)")
        }
        try feeder.produce(rest[half...])
        record.ending = "final run: fed the last \(rest.count) lines"
        say("run \(record.index) (final): fed the last \(rest.count) lines; waiting for the output topic to show the reference")
    }

    /// The last count per word of output records (word -> 8-byte big-endian count), in order.
    static func recordLatestCounts(_ records: ArraySlice<ConsumerRecord>, into latest: inout [String: Int64]) throws {
        for record in records {
            guard let key = record.key.map({ String(decoding: $0, as: UTF8.self) }), let value = record.value,
                value.count == 8
            else { throw CrashTestFailure("output record at \(record.partition)@\(record.offset) is not word -> 8-byte count") }
            latest[key] = value.reduce(Int64(0)) { $0 << 8 | Int64($1) }
        }
    }

    /// Waits until the output topic (read_committed) shows the counts of `lines`: the app is then
    /// idle, between transactions.
    func waitUntilProcessed(_ lines: ArraySlice<String>, by child: WordCountChild) throws {
        var expected: [String: Int64] = [:]
        for line in lines {
            for word in line.split(separator: " ") { expected[String(word), default: 0] += 1 }
        }
        let reader = try kafka.reader(topic: outputTopic, partitions: partitions, readCommitted: true)
        var latest: [String: Int64] = [:]
        var seen = 0
        while !expected.allSatisfy({ latest[$0.key, default: 0] >= $0.value }) {
            guard child.isRunning else { throw unexpectedExit(child) }
            guard ContinuousClock.now < deadline else {
                throw CrashTestFailure(
                    "the output topic did not show the first half of the last run's lines within --timeout: "
                        + describeDifference(latest, expected))
            }
            _ = try reader.read(timeout: .milliseconds(200))
            try Self.recordLatestCounts(reader.records[seen...], into: &latest)
            seen = reader.records.count
        }
    }

    func launch(run: Int) throws -> WordCountChild {
        var arguments = [
            "--bootstrap-servers", kafka.bootstrapServers, "--application-id", applicationID, "--state-dir", stateDir,
            "--input-topic", inputTopic, "--output-topic", outputTopic, "--print-restores",
            // A killed member stays in the group until its session times out: keep that short.
            "--consumer-property", "session.timeout.ms=\(options.sessionTimeoutMs)",
            "--consumer-property", "heartbeat.interval.ms=\(max(100, options.sessionTimeoutMs / 4))",
            "--log-level", ProcessInfo.processInfo.environment["CRASH_TEST_APP_LOG_LEVEL"] ?? "warning",
        ]
        if exactlyOnce { arguments.append("--exactly-once") }
        if let interval = effectiveCommitIntervalMs {
            arguments += ["--commit-interval-ms", String(interval)]
        }
        return try WordCountChild(executable: options.wordcount, arguments: arguments, logDirectory: logDir, run: run)
    }

    var effectiveCommitIntervalMs: Int? { options.commitIntervalMs ?? (exactlyOnce ? nil : 250) }

    /// Sleeps, failing if the child exits meanwhile.
    func sleep(_ seconds: Double, watching child: WordCountChild) throws {
        try sleep(until: ContinuousClock.now + .milliseconds(Int(seconds * 1000)), watching: child)
    }

    func sleep(until end: ContinuousClock.Instant, watching child: WordCountChild) throws {
        while ContinuousClock.now < end {
            guard child.isRunning else { throw unexpectedExit(child) }
            Thread.sleep(forTimeInterval: 0.01)
        }
        guard child.isRunning else { throw unexpectedExit(child) }
    }

    func unexpectedExit(_ child: WordCountChild) -> CrashTestFailure {
        _ = child.waitForExit(timeout: .seconds(5))
        return CrashTestFailure(
            "run \(child.run): the app ended on its own (\(child.exitDescription)); its stderr ends with:\n\(child.stderrTail())")
    }

    /// Waits until the app has restored its tasks' state, which it does when they are assigned:
    /// one line per partition of the store (a single instance gets every task), or a second after
    /// the first line.
    func waitForAssignment(_ child: WordCountChild) throws -> Duration {
        let launched = ContinuousClock.now
        let limit = min(remaining, .seconds(60))
        var firstLine: ContinuousClock.Instant?
        while true {
            let count = restoredLines(of: child).count
            if count > 0 && firstLine == nil { firstLine = .now }
            if count >= Int(partitions) { break }
            if let firstLine, ContinuousClock.now - firstLine > .seconds(1) { break }
            guard child.isRunning else { throw unexpectedExit(child) }
            guard ContinuousClock.now - launched < limit else {
                throw CrashTestFailure(
                    "run \(child.run): no task was assigned within \(limit); its stderr ends with:\n\(child.stderrTail())")
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return ContinuousClock.now - launched
    }

    func restoredLines(of child: WordCountChild) -> [String] {
        child.stderrLines().filter { $0.hasPrefix("restored ") }
    }

    /// `restored counts <partition> <records>` lines of the run.
    func restored(by child: WordCountChild) -> [(partition: Int32, records: Int)] {
        restoredLines(of: child).compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 4, let partition = Int32(fields[2]), let records = Int(fields[3]) else { return nil }
            return (partition, records)
        }
    }

    func report(_ record: RunRecord) {
        let parts = record.restoredAtStart.map { "p\($0.partition)=\($0.records)" }.joined(separator: " ")
        let full = record.changelogAtStart.map { " of \($0) changelog records" } ?? ""
        say("run \(record.index): restored \(record.totalAtStart) records\(full) [\(parts)]; \(record.ending)")
    }

    /// The records in the changelog now (read_uncommitted, to the end of every partition): what a
    /// restore from the beginning would read.
    func changelogRecords() throws -> Int {
        let reader = try kafka.reader(topic: changelogTopic, partitions: partitions, readCommitted: false)
        try reader.readToEnd(timeout: min(remaining, .seconds(30)))
        return reader.records.count
    }

    /// The transactional id of the app's stream thread 0: `<applicationID>-<processId>-0`, the
    /// process id read from `<stateDir>/<applicationID>/kafka-streams-process-metadata`
    /// (`{"processId": "<UUID>"}`). A UUID has two spellings (Java's `toString()` is lower-case,
    /// Foundation's `uuidString` upper-case): the id is fenced as written in the file and, when that
    /// differs, in lower case too. Fencing an id nobody uses is harmless.
    func transactionalIDsOfThread0() throws -> [String] {
        let path = "\(stateDir)/\(applicationID)/kafka-streams-process-metadata"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CrashTestFailure("\(path) does not exist: cannot name the app's transactional id")
        }
        struct Metadata: Decodable { let processId: String }
        let metadata: Metadata
        do {
            metadata = try JSONDecoder().decode(Metadata.self, from: data)
        } catch {
            throw CrashTestFailure("\(path) is not {\"processId\": \"<UUID>\"}: \(error)")
        }
        let spellings = [metadata.processId, metadata.processId.lowercased()]
        return spellings.enumerated().filter { !spellings[..<$0.offset].contains($0.element) }
            .map { "\(applicationID)-\($0.element)-0" }
    }

    // MARK: - Checks

    mutating func verify() throws {
        guard let child else { throw CrashTestFailure("no run") }
        let reference = input.reference

        // 1. The output topic, read_committed, until its last value per word reaches the reference
        //    and nothing new arrives for a while.
        let quiet: Duration = exactlyOnce ? .seconds(2) : .milliseconds(max(2000, 4 * (effectiveCommitIntervalMs ?? 0)))
        let reader = try kafka.reader(topic: outputTopic, partitions: partitions, readCommitted: true)
        var latest: [String: Int64] = [:]
        var seen = 0
        var lastArrival = ContinuousClock.now
        while true {
            guard child.isRunning else { throw unexpectedExit(child) }
            if try reader.read(timeout: .milliseconds(500)) > 0 { lastArrival = .now }
            try Self.recordLatestCounts(reader.records[seen...], into: &latest)
            seen = reader.records.count
            let complete = reference.allSatisfy { latest[$0.key, default: 0] >= $0.value }
            if complete && reader.isAtEnd && ContinuousClock.now - lastArrival >= quiet { break }
            guard ContinuousClock.now < deadline else {
                throw CrashTestFailure(
                    "the output topic did not reach the reference within --timeout \(options.timeout) s: "
                        + describeDifference(latest, reference))
            }
        }
        say("output topic: every word reached at least its reference count and nothing new came for \(quiet) (\(seen) records read with read_committed)")

        // The app must have replaced its fenced producer: the new one's initTransactions fenced
        // the zombie in turn, so the zombie's own transaction fails.
        var zombieError: (id: String, error: KafkaError)?
        if !zombies.isEmpty {
            for (id, producer) in zombies {
                if let error = kafka.zombieTransaction(producer, topic: zombieTopic) { zombieError = (id, error) }
            }
            guard zombieError != nil else {
                throw CrashTestFailure(
                    "the zombie producer committed a transaction after the app finished: the app never registered "
                        + "its transactional id (\(zombies.map(\.id).joined(separator: " or "))) again (it should "
                        + "replace a fenced producer), or uses another id")
            }
        }

        // 2. The store: SIGTERM makes the app pause, print its counts and exit.
        child.signal(SIGTERM)
        guard child.waitForExit(timeout: min(max(remaining, .seconds(10)), .seconds(60))) else {
            throw CrashTestFailure("the app did not exit within 60 s of SIGTERM; its stderr ends with:\n\(child.stderrTail())")
        }
        guard child.exitedCleanly else { throw unexpectedExit(child) }
        var store: [String: Int64] = [:]
        for line in child.stdout().split(separator: "\n") {
            let fields = line.split(separator: "\t")
            guard fields.count == 2, let count = Int64(fields[1]) else {
                throw CrashTestFailure("unexpected line in the app's counts: \(line)")
            }
            store[String(fields[0])] = count
        }
        guard !store.isEmpty else {
            throw CrashTestFailure("the app printed no counts on SIGTERM; its stderr ends with:\n\(child.stderrTail())")
        }
        if let last = runs.indices.last { runs[last].restoredLater = Array(restored(by: child).dropFirst(runs[last].restoredAtStart.count)) }

        // 3. Restoration: only changelog tails.
        let changelogAtEnd = try changelogRecords()
        let restarts = runs.dropFirst()
        if let last = runs.last { report(last) }
        let restoredTotal = restarts.reduce(0) { $0 + $1.totalAtStart + $1.totalLater }
        let fullTotal = restarts.reduce(0) { $0 + ($1.changelogAtStart ?? 0) }
        say(
            "restoration: \(restoredTotal) records restored over \(restarts.count) restarts "
                + "(per restart: \(restarts.map { String($0.totalAtStart + $0.totalLater) }.joined(separator: ", "))); "
                + "full restores would have read \(fullTotal) (per restart: \(restarts.map { String($0.changelogAtStart ?? 0) }.joined(separator: ", "))); "
                + "the changelog now holds \(changelogAtEnd) records")
        if let last = runs.last, !last.restoredLater.isEmpty {
            say("restoration later in the final run (after a rebalance or the fencing; counted in the total above): \(last.totalLater) records [\(last.restoredLater.map { "p\($0.partition)=\($0.records)" }.joined(separator: " "))]")
        }
        if runs.first?.totalAtStart != 0 {
            throw CrashTestFailure("the first run restored \(runs.first?.totalAtStart ?? -1) records from a fresh state directory")
        }
        // A full restore at each restart would read the whole changelog of that moment; restoring
        // tails only must stay under a quarter of that in total.
        if restoredTotal * 4 > fullTotal {
            throw CrashTestFailure(
                "restarts restored \(restoredTotal) records, more than a quarter of the \(fullTotal) that full restores would have read: "
                    + "state was restored from the beginning instead of from the changelog tail")
        }

        // 5. The counts. What the count task was given: the repartition topic, read_committed.
        //    Tansu does not hide aborted transactions from read_committed, so the words written by
        //    transactions that a SIGKILL or the fencing aborted reach the count task as well; under
        //    exactly-once the app recognises those copies by their source header and skips them
        //    (docs/exactly-once.md), so its counts must still equal the reference exactly.
        let repartition = try kafka.reader(topic: repartitionTopic, partitions: partitions, readCommitted: true)
        try repartition.readToEnd(timeout: min(max(remaining, .seconds(10)), .seconds(60)))
        var delivered: [String: Int64] = [:]
        for record in repartition.records {
            guard let key = record.key else { continue }
            delivered[String(decoding: key, as: UTF8.self), default: 0] += 1
        }
        let storeTotal = store.values.reduce(0, +)
        let outputTotal = latest.values.reduce(0, +)
        let deliveredTotal = delivered.values.reduce(0, +)
        let extra = deliveredTotal - input.totalWords
        // Duplicates the broker let through to read_committed (information, not a check).
        var pairs = Set<String>()
        var lastValue: [String: Int64] = [:]
        var notIncreasing = 0
        for record in reader.records {
            guard let key = record.key, let value = record.value else { continue }
            let word = String(decoding: key, as: UTF8.self)
            let count = value.reduce(Int64(0)) { $0 << 8 | Int64($1) }
            pairs.insert("\(word)\t\(count)")
            if let previous = lastValue[word], count <= previous { notIncreasing += 1 }
            lastValue[word] = count
        }
        let duplicates = reader.records.count - pairs.count

        if exactlyOnce {
            say(
                "information: the broker let through to read_committed \(extra) records of aborted transactions in the "
                    + "repartition topic (\(deliveredTotal) word records for the input's \(input.totalWords) words), which the app "
                    + "had to skip as copies, and \(duplicates) duplicate count updates in the output topic (a (word, count) pair seen before; "
                    + "\(notIncreasing) not above the word's previous count; \(reader.records.count) updates read). Tansu does "
                    + "not hide aborted transactions (docs/testing.md): a broker that does would show 0 and 0")
        } else {
            say(
                "information: the repartition topic holds \(deliveredTotal) word records for the input's \(input.totalWords) "
                    + "words (\(extra) written again when lines were reprocessed); the output topic has \(duplicates) duplicate "
                    + "count updates (\(notIncreasing) not above the word's previous count; \(reader.records.count) updates read)")
        }
        guard reference.allSatisfy({ delivered[$0.key, default: 0] >= $0.value }) else {
            throw CrashTestFailure("the repartition topic lost words: " + describeDifference(delivered, reference))
        }
        if exactlyOnce {
            var failures: [String] = []
            if store != reference {
                failures.append(
                    "the store's counts differ from the reference (\(extra) aborted records in the repartition topic): "
                        + describeDifference(store, reference))
            }
            if latest != store {
                failures.append("the last value per word in the output topic differs from the store: " + describeDifference(latest, store))
            }
            if !failures.isEmpty {
                throw CrashTestFailure(failures.joined(separator: "; "))
            }
            say(
                "counts: the store's \(store.count) counts (total \(storeTotal)) and the output topic's last values equal the "
                    + "reference exactly (\(extra) copies from aborted transactions skipped; the store would otherwise differ "
                    + "from the reference by \(describeDifference(delivered, reference)))")
        } else {
            let lost = reference.filter { store[$0.key, default: 0] < $0.value }
            guard lost.isEmpty else {
                throw CrashTestFailure("the store lost counts: " + describeDifference(store, reference))
            }
            guard Set(store.keys) == Set(reference.keys) else {
                throw CrashTestFailure("the store has words that are not in the input: " + describeDifference(store, reference))
            }
            guard reference.allSatisfy({ latest[$0.key, default: 0] >= $0.value }) else {
                throw CrashTestFailure("the output topic lost counts: " + describeDifference(latest, reference))
            }
            let overCounted = reference.filter { store[$0.key, default: 0] > $0.value }.count
            say(
                "counts: every count of the store and of the output topic is at least the reference; over-count "
                    + "(figure, not a check): the store counts \(storeTotal) words for \(input.totalWords) in the input, "
                    + "\(storeTotal - input.totalWords) (\(percent(storeTotal - input.totalWords, of: input.totalWords))) too many "
                    + "(\(extra) written twice to the repartition topic, \(storeTotal - deliveredTotal) repartition records counted twice), "
                    + "\(overCounted) of \(reference.count) words over-counted; the output topic's last values \(outputTotal - input.totalWords) too many; "
                    + "store \(store == latest ? "equals" : "differs from") the output topic's last values")
        }
        if let zombieError {
            let mentions = child.stderrLines().contains { $0.localizedCaseInsensitiveContains("fenced") }
            say(
                "fencing: the app survived the zombie, replaced its producer and finished; the zombie's own transaction "
                    + "with \(zombieError.id) then failed with: \(zombieError.error)"
                    + "\(mentions ? " (the app's log mentions the fencing)" : "")")
        }
    }

    func percent(_ part: Int64, of whole: Int64) -> String {
        whole == 0 ? "-" : String(format: "%.2f%%", Double(part) * 100 / Double(whole))
    }

    /// A short account of where `actual` differs from `expected`.
    func describeDifference(_ actual: [String: Int64], _ expected: [String: Int64]) -> String {
        let words = Set(actual.keys).union(expected.keys).sorted()
        let differing = words.filter { actual[$0] != expected[$0] }
        guard !differing.isEmpty else { return "no difference" }
        let below = differing.filter { actual[$0, default: 0] < expected[$0, default: 0] }.count
        let examples = differing.prefix(8).map { "\($0): \(actual[$0].map(String.init) ?? "none") (expected \(expected[$0].map(String.init) ?? "none"))" }
        return "\(differing.count) of \(words.count) words differ (\(below) below, \(differing.count - below) above); "
            + examples.joined(separator: ", ")
    }
}
