import Foundation
import RdKafka

/// What every row gets: the broker, the client settings, the pre-loaded input, the watcher, and
/// names unique to this run (so runs against an external broker do not collide).
struct BenchContext {
    let broker: BenchBroker
    let settings: ClientSettings
    let input: InputData
    let watcher: TopicWatcher
    let runID: String
    /// How long a row may take to produce all its outputs.
    let timeout: Duration
    /// The streams rows' state directory.
    let stateDir: String

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
        return RowRun(first: span.first, complete: span.complete, outputs: expected, peakRSSBytes: ProcessMemory.peakBytes)
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
}

/// The timed part of one row: from the first output record seen to the last expected one.
struct RowRun {
    let first: ContinuousClock.Instant
    let complete: ContinuousClock.Instant
    /// Output records written in that time.
    let outputs: Int
    /// `VmHWM` when the outputs were complete (reset before the row, where the kernel allows).
    let peakRSSBytes: Int?

    var seconds: Double { Self.seconds(first, complete) }

    static func seconds(_ start: ContinuousClock.Instant, _ end: ContinuousClock.Instant) -> Double {
        let elapsed = end - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
