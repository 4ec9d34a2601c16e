import Foundation
import RdKafka

/// Watches topics from the outside, through watermark queries and committed offsets: when outputs
/// are complete, whether a group consumed everything, whether the mock broker dropped records.
final class TopicWatcher {
    private let settings: ClientSettings
    private let consumer: KafkaConsumer

    init(settings: ClientSettings, runID: String) throws {
        self.settings = settings
        consumer = try KafkaConsumer(configuration: settings.reader(groupID: "\(runID)-watcher"))
    }

    deinit { consumer.close() }

    /// Closes the watcher's consumer now (before its broker goes away).
    func close() { consumer.close() }

    /// Low and high watermark of every partition, asked from the broker (two requests).
    func watermarks(topic: String, partitions: Int) throws -> [(low: Int64, high: Int64)] {
        let all = Self.partitions(of: topic, partitions)
        let lows = try consumer.beginningOffsets(all, timeout: .seconds(10))
        let highs = try consumer.endOffsets(all, timeout: .seconds(10))
        return zip(lows, highs).map { ($0.offset, $1.offset) }
    }

    /// The sum of the high watermarks of every partition, in one request: what has been written.
    ///
    /// One request rather than one per partition: a sweep of 28 partitions took ~35 ms, the
    /// resolution of a row's start and end (±5% of a 0.7 s round), and loaded the embedded
    /// broker while the row ran.
    func endOffsetSum(topic: String, partitions: Int) throws -> Int64 {
        try consumer.endOffsets(Self.partitions(of: topic, partitions), timeout: .seconds(10)).reduce(0) { $0 + $1.offset }
    }

    private static func partitions(of topic: String, _ count: Int) -> [TopicPartition] {
        (0..<Int32(count)).map { TopicPartition(topic: topic, partition: $0) }
    }

    /// When the first record of a topic was seen and when the expected count was reached.
    struct Span {
        let first: ContinuousClock.Instant
        let complete: ContinuousClock.Instant
        /// CPU of the process's threads between the two (``ThreadTimes``), where Linux tells it.
        var threadUsage: ThreadTimes.Usage?
    }

    /// Polls the end offsets of `topic` every `interval` (one request each time) until they add
    /// up to `expected` records.
    ///
    /// - Parameters:
    ///   - watched: topics checked about once a second with ``checkNothingDeleted(topics:partitions:)``
    ///     once outputs flow, so that a run past the embedded broker's log limit fails at once
    ///     instead of stalling until the timeout.
    ///   - failure: checked on every poll; a non-nil error (the processor died) ends the wait.
    /// - Throws: when `timeout` passes first, saying how far the output got.
    func waitForRecords(
        topic: String, partitions: Int, expected: Int, timeout: Duration, interval: Duration = .milliseconds(5),
        watched: [String] = [], failure: () -> (any Error)?
    ) throws -> Span {
        let deadline = ContinuousClock.now + timeout
        var first: ContinuousClock.Instant?
        var firstTimes: ThreadTimes?
        var seen: Int64 = 0
        var lastDeletionCheck = ContinuousClock.now
        while ContinuousClock.now < deadline {
            seen = try endOffsetSum(topic: topic, partitions: partitions)
            let now = ContinuousClock.now
            if seen > 0, first == nil {
                first = now
                firstTimes = ThreadTimes.now()
            }
            if seen >= Int64(expected), let first {
                let usage = firstTimes.flatMap { start in ThreadTimes.now()?.usage(since: start) }
                return Span(first: first, complete: now, threadUsage: usage)
            }
            if let error = failure() { throw BenchError("the processor failed after \(seen) of \(expected) outputs: \(error)") }
            // Only once outputs flow: by then a streams application has created its internal topics
            // (asking the mock about a missing topic would auto-create it with 4 partitions).
            if first != nil, now - lastDeletionCheck > .seconds(1) {
                lastDeletionCheck = now
                try checkNothingDeleted(topics: [topic] + watched, partitions: partitions)
            }
            Thread.sleep(forTimeInterval: Double(interval.components.attoseconds) / 1e18 + Double(interval.components.seconds))
        }
        throw BenchError("timed out after \(timeout): \(topic) has \(seen) of \(expected) expected records")
    }

    /// Checks that no partition of `topics` lost records: the mock broker deletes the oldest
    /// batches of a partition past its log limit, which moves the low watermark up.
    func checkNothingDeleted(topics: [String], partitions: Int) throws {
        for topic in topics {
            for (partition, marks) in try watermarks(topic: topic, partitions: partitions).enumerated() where marks.low > 0 {
                throw BenchError(
                    "\(topic)[\(partition)] lost its first \(marks.low) records to the broker's log limit "
                        + "(the mock keeps ~5 MiB per partition): use more --partitions, --compression lz4 or fewer --records")
            }
        }
    }

    /// Checks that group `groupID` committed, for every partition of `topic`, the partition's end
    /// offset, and that the ends add up to `expected`: it read (and committed) every record.
    func checkConsumedAll(groupID: String, topic: String, partitions: Int, expected: Int) throws {
        let group = try KafkaConsumer(configuration: settings.reader(groupID: groupID))
        defer { group.close() }
        let marks = try watermarks(topic: topic, partitions: partitions)
        let total = marks.reduce(0) { $0 + $1.high - $1.low }
        guard total == Int64(expected) else {
            throw BenchError("\(topic) holds \(total) records, expected \(expected)")
        }
        let committed = try group.committed(
            (0..<Int32(partitions)).map { TopicPartition(topic: topic, partition: $0) }, timeout: .seconds(10))
        var behind: [String] = []
        for offset in committed where max(offset.offset, 0) != marks[Int(offset.partition)].high {
            behind.append("[\(offset.partition)] \(max(offset.offset, 0))/\(marks[Int(offset.partition)].high)")
        }
        guard behind.isEmpty else {
            throw BenchError("group \(groupID) did not read all of \(topic): committed/end \(behind.joined(separator: ", "))")
        }
    }

    /// Reads every record of `topic` from the beginning, passing each to `body`; returns the count.
    func readAll(
        topic: String, partitions: Int, timeout: Duration, _ body: (borrowing KafkaMessageView) throws -> Void
    ) throws -> Int {
        let reader = try KafkaConsumer(configuration: settings.reader(groupID: "\(topic)-reader"))
        defer { reader.close() }
        try reader.assign(
            (0..<Int32(partitions)).map { TopicPartitionOffset(topic: topic, partition: $0, offset: KafkaOffset.beginning) })
        var atEnd = Set<Int32>()
        var count = 0
        let deadline = ContinuousClock.now + timeout
        while atEnd.count < partitions {
            guard ContinuousClock.now < deadline else {
                throw BenchError("reading \(topic) back timed out after \(count) records")
            }
            count += try reader.pollBatch(
                maxMessages: 10_000, timeout: .milliseconds(100), onPartitionEOF: { atEnd.insert($0.partition) }, body)
        }
        return count
    }
}
