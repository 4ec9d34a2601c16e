import Foundation
import RdKafka

/// What every row gets: the broker, the client settings, the pre-loaded input, the watcher, and
/// names unique to this run (so runs against an external broker do not collide).
struct BenchContext {
    let broker: BenchBroker
    let settings: ClientSettings
    let input: InputData
    let watcher: TopicWatcher
    /// Unique to the run, and to the round when rows are repeated (``StreamsBench/repeat``).
    var runID: String
    /// How long a row may take to produce all its outputs.
    let timeout: Duration
    /// The streams rows' state directory.
    let stateDir: String
    /// Each row's latency phase.
    let latency: LatencySettings
    /// The `memory-1m-keys` row's settings.
    let memory: MemoryCheck.Settings

    /// A topic of one row.
    func topic(_ row: String, _ suffix: String) -> String { "\(runID)-\(row)-\(suffix)" }

    /// The consumer group (the application id for streams rows) of one row.
    func groupID(_ row: String) -> String { "\(runID)-\(row)" }

    /// Waits until `topic` holds `expected` records, noting when the first and the last appeared and
    /// the peak RSS at that moment; fails early if `failure` reports an error.
    /// `watched` are the row's other topics, checked for records deleted by the broker meanwhile.
    func waitForOutputs(
        topic: String, expected: Int, watched: [String], failure: () -> (any Error)?
    ) throws -> RowRun {
        let span = try watcher.waitForRecords(
            topic: topic, partitions: input.partitions, expected: expected, timeout: timeout,
            watched: broker.isEmbedded ? [input.topic] + watched : [], failure: failure)
        var run = RowRun(first: span.first, complete: span.complete, outputs: expected, peakRSSBytes: ProcessMemory.peakBytes)
        run.threadUsage = span.threadUsage
        return run
    }

    /// ``waitForOutputs(topic:expected:watched:failure:)`` for a hand-written loop; stops it on failure.
    func waitForOutputs(topic: String, expected: Int, watched: [String], loop: BackgroundLoop) throws -> RowRun {
        do {
            return try waitForOutputs(topic: topic, expected: expected, watched: watched) { loop.failure }
        } catch {
            _ = try? loop.stop(timeout: .seconds(30))
            throw error
        }
    }

    /// The latency phase of a hand-written row (``LatencyProbe``): creates the row's latency input,
    /// starts the loop again on it (`start`, same group as the throughput phase, so it resumes
    /// every other topic at its committed end), waits until it has its partitions, measures, stops
    /// it and returns what it counted. `nil` when latency phases are off.
    func loopLatency(
        row: String, output: String, outputs: LatencyProbe.Outputs, start: (_ inputTopic: String) -> BackgroundLoop
    ) throws -> (stats: LatencyStats, counts: BackgroundLoop.Counts)? {
        guard latency.records > 0, latency.rate > 0 else { return nil }
        let latencyInput = topic(row, "latency-input")
        try broker.createTopic(latencyInput, partitions: input.partitions)
        let loop = start(latencyInput)
        let stats: LatencyStats
        do {
            try waitUntil("\(row) got its partitions for the latency phase", failure: { loop.failure }) { loop.isAssigned }
            stats = try LatencyProbe.measure(self, topic: latencyInput, output: output, outputs: outputs) { loop.failure }
        } catch {
            _ = try? loop.stop(timeout: .seconds(30))
            throw error
        }
        return (stats, try loop.stop(timeout: .seconds(60)))
    }

    /// A row run by a hand-written loop with one output per input record: starts the loop on the
    /// input, waits for every output, checks that the loop read every input record, that nothing
    /// was deleted and everything committed, then `checkOutput`, then the latency phase.
    func runPerRecordLoop(
        row: String, checkOutput: (_ output: String) throws -> Void,
        start: (_ groupID: String, _ inputTopic: String, _ output: String) -> BackgroundLoop
    ) throws -> RowRun {
        let output = topic(row, "output")
        try broker.createTopic(output, partitions: input.partitions)
        let group = groupID(row)
        let loop = start(group, input.topic, output)
        var run = try waitForOutputs(topic: output, expected: input.recordCount, watched: [], loop: loop)
        let counts = try loop.stop(timeout: .seconds(60))
        try expect(counts["input"] == input.recordCount, "\(row) read \(counts["input"] ?? 0) input records, expected \(input.recordCount)")
        try watcher.checkNothingDeleted(topics: [input.topic, output], partitions: input.partitions)
        try watcher.checkConsumedAll(groupID: group, topic: input.topic, partitions: input.partitions, expected: input.recordCount)
        try checkOutput(output)
        if let latency = try loopLatency(row: row, output: output, outputs: .perRecord, start: { start(group, $0, output) }) {
            let sent = latency.stats.inputRecords
            try expect(latency.counts["input"] == sent, "\(row) read \(latency.counts["input"] ?? 0) latency records, expected \(sent)")
            run.latency = latency.stats
        }
        return run
    }

    /// Polls `condition` every 50 ms until it holds; throws when `failure` reports an error or at
    /// the timeout.
    func waitUntil(_ what: String, failure: () -> (any Error)?, _ condition: () -> Bool) throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            if let error = failure() { throw BenchError("failed before \(what): \(error)") }
            guard ContinuousClock.now < deadline else { throw BenchError("timed out: never \(what)") }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Fails the row with `message` unless `condition` holds.
    func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw BenchError(message()) }
    }

    /// Reads `topic` back and checks that it holds exactly `expected` records.
    func checkRecordCount(topic: String, expected: Int) throws {
        let count = try watcher.readAll(topic: topic, partitions: input.partitions, timeout: timeout) { _ in }
        try expect(count == expected, "\(topic) holds \(count) records, expected \(expected)")
    }

    /// Reads a word count's output back: one record per word occurrence (every update), and each
    /// word's last (largest) count equal to the number of times it occurs in the input.
    func checkWordCounts(topic: String) throws {
        var latest: [String: Int64] = [:]
        var malformed = 0
        let count = try watcher.readAll(topic: topic, partitions: input.partitions, timeout: timeout) { message in
            guard let key = message.key, let value = message.value, value.count == 8 else {
                malformed += 1
                return
            }
            var count: Int64 = 0
            for byte in value { count = count << 8 | Int64(byte) }
            let word = String(decoding: key, as: UTF8.self)
            if count > latest[word] ?? 0 { latest[word] = count }
        }
        try expect(malformed == 0, "\(topic) has \(malformed) records without a key or an 8-byte count")
        try expect(count == input.wordCount, "\(topic) holds \(count) count updates, expected \(input.wordCount) (one per word)")
        var wrong: [String] = []
        for (word, frequency) in input.wordFrequencies where latest[word] != frequency {
            wrong.append("\(word): \(latest[word].map(String.init) ?? "none") instead of \(frequency)")
        }
        try expect(latest.count == input.wordFrequencies.count, "\(topic) counts \(latest.count) distinct words, expected \(input.wordFrequencies.count)")
        try expect(wrong.isEmpty, "\(topic) has wrong final counts for \(wrong.count) words, e.g. \(wrong.prefix(3).joined(separator: "; "))")
    }

    /// Reads a windowed count's output back (keys `[key][window start: 8 bytes BE]`, 8-byte counts):
    /// one update per input record (no cache), and every window's last (largest) count equal to the
    /// number of input records of its key whose timestamps fall in it, for every key and window.
    func checkWindowedCounts(topic: String) throws {
        var expected: [[UInt8]: Int64] = [:]
        for index in 0..<input.recordCount {
            let timestamp = input.timestamp(of: index)
            let start = timestamp - timestamp % RawWindowedCount.windowMs
            var windowedKey = Array(InputData.key(of: index).utf8)
            withUnsafeBytes(of: start.bigEndian) { windowedKey.append(contentsOf: $0) }
            expected[windowedKey, default: 0] += 1
        }
        var latest: [[UInt8]: Int64] = [:]
        var malformed = 0
        let count = try watcher.readAll(topic: topic, partitions: input.partitions, timeout: timeout) { message in
            guard let key = message.key, key.count > 8, let value = message.value, value.count == 8 else {
                malformed += 1
                return
            }
            var count: Int64 = 0
            for byte in value { count = count << 8 | Int64(byte) }
            let windowedKey = Array(key)
            if count > latest[windowedKey] ?? 0 { latest[windowedKey] = count }
        }
        try expect(malformed == 0, "\(topic) has \(malformed) records without a windowed key or an 8-byte count")
        try expect(count == input.recordCount, "\(topic) holds \(count) count updates, expected \(input.recordCount) (one per input record)")
        try expect(latest.count == expected.count, "\(topic) counts \(latest.count) distinct windows, expected \(expected.count)")
        var wrong: [String] = []
        for (windowedKey, frequency) in expected where latest[windowedKey] != frequency {
            let key = String(decoding: windowedKey.dropLast(8), as: UTF8.self)
            let start = windowedKey.suffix(8).reduce(Int64(0)) { $0 << 8 | Int64($1) }
            wrong.append("\(key)@\(start): \(latest[windowedKey].map(String.init) ?? "none") instead of \(frequency)")
        }
        try expect(wrong.isEmpty, "\(topic) has wrong final counts for \(wrong.count) windows, e.g. \(wrong.prefix(3).joined(separator: "; "))")
    }

    /// Reads a stream-table join's output back: exactly as many results per key as the input has
    /// records of that key (so one per input record), each carrying the table's value of its key.
    func checkJoinResults(topic: String, tableValue: (String) -> String) throws {
        var expected: [String: Int] = [:]
        for index in 0..<input.recordCount { expected[InputData.key(of: index), default: 0] += 1 }
        var seen: [String: Int] = [:]
        var wrong: [String] = []
        var wrongCount = 0
        let count = try watcher.readAll(topic: topic, partitions: input.partitions, timeout: timeout) { message in
            let key = message.key.map { String(decoding: $0, as: UTF8.self) } ?? "<null>"
            let value = message.value.map { String(decoding: $0, as: UTF8.self) } ?? "<null>"
            seen[key, default: 0] += 1
            if value != tableValue(key) {
                wrongCount += 1
                if wrong.count < 3 { wrong.append("\(key): \(value)") }
            }
        }
        try expect(count == input.recordCount, "\(topic) holds \(count) join results, expected \(input.recordCount) (one per input record)")
        try expect(wrongCount == 0, "\(topic) has \(wrongCount) results with the wrong table value, e.g. \(wrong.joined(separator: "; "))")
        let off = expected.filter { seen[$0.key] != $0.value }
        try expect(
            off.isEmpty && seen.count == expected.count,
            "\(topic) has the wrong number of results for \(off.count) keys (\(seen.count) keys seen, expected \(expected.count)), e.g. "
                + off.prefix(3).map { "\($0.key): \(seen[$0.key] ?? 0) instead of \($0.value)" }.joined(separator: "; "))
    }
}

/// The timed part of one row: from the first output record seen to the last expected one.
struct RowRun {
    let first: ContinuousClock.Instant
    let complete: ContinuousClock.Instant
    /// Output records written in that time.
    let outputs: Int
    /// `VmHWM` when the outputs were complete (reset before the row, where the kernel allows).
    var peakRSSBytes: Int?
    /// The row's latency phase, if it ran.
    var latency: LatencyStats?
    /// Input records and value bytes, for a row with an input of its own (else the shared input's).
    var inputRecords: Int?
    var inputBytes: Int?
    /// The memory check's figures (row `memory-1m-keys`).
    var memory: MemoryCheck.Figures?
    /// CPU of the process's threads in the timed part, where Linux tells it.
    var threadUsage: ThreadTimes.Usage?

    init(first: ContinuousClock.Instant, complete: ContinuousClock.Instant, outputs: Int, peakRSSBytes: Int?) {
        self.first = first
        self.complete = complete
        self.outputs = outputs
        self.peakRSSBytes = peakRSSBytes
    }

    var seconds: Double { Self.seconds(first, complete) }

    static func seconds(_ start: ContinuousClock.Instant, _ end: ContinuousClock.Instant) -> Double {
        let elapsed = end - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
