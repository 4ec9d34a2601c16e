import RdKafka
import Synchronization

/// The record collector of a stream thread: sends every task's output, repartition and changelog
/// records through the thread's producer.
///
/// Delivery reports arrive on the stream thread (which polls the producer); failures are kept
/// until the thread checks them, and then go to the production exception handler.
final class StreamsProducer: RecordCollector {
    let producer: KafkaProducer
    private let failures: DeliveryFailures
    private let changelogOffsets: ChangelogOffsets
    /// The delivery-report tag of changelog records.
    private static let changelogTag: UInt64 = 1
    private var partitionCounts: [String: Int32] = [:]
    private var sentSinceLastReport = 0

    /// Records sent since the last call, for metrics.
    func takeSentCount() -> Int {
        defer { sentSinceLastReport = 0 }
        return sentSinceLastReport
    }

    /// Failed deliveries, written by the delivery report handler (on the polling thread).
    final class DeliveryFailures: Sendable {
        private let reports = Mutex<[DeliveryReport]>([])
        func record(_ report: DeliveryReport) { reports.withLock { $0.append(report) } }
        func take() -> [DeliveryReport] { reports.withLock { reports in defer { reports = [] }; return reports } }
    }

    /// The highest acknowledged offset per changelog partition, written by the delivery report
    /// handler. It runs on the stream thread (inside poll and flush), so the lock is uncontended.
    final class ChangelogOffsets: Sendable {
        private let offsets = Mutex<[TopicPartition: Int64]>([:])
        func record(_ report: DeliveryReport) {
            let partition = TopicPartition(topic: report.topic, partition: report.partition)
            offsets.withLock { $0[partition] = max($0[partition] ?? -1, report.offset) }
        }
        func offset(of partition: TopicPartition) -> Int64? { offsets.withLock { $0[partition] } }
        func forget(_ partition: TopicPartition) { offsets.withLock { _ = $0.removeValue(forKey: partition) } }
    }

    init(config: StreamsConfig, clientID: String) throws {
        let failures = DeliveryFailures()
        let changelogOffsets = ChangelogOffsets()
        self.failures = failures
        self.changelogOffsets = changelogOffsets
        do {
            self.producer = try KafkaProducer(
                configuration: ClientDefaults.producer(config, clientID: clientID),
                deliveryReportHandler: { report in
                    if report.error != nil {
                        failures.record(report)
                    } else if report.tag == StreamsProducer.changelogTag {
                        changelogOffsets.record(report)
                    }
                },
                // Only failures and changelog records (tagged) need a report.
                deliveryReports: .failuresAndTagged)
        } catch {
            throw StreamsConfigError(setting: "producerProperties", message: "\(error)")
        }
    }

    func sendChangelog(
        topic: String, partition: Int32, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer?,
        timestamp: Int64
    ) throws {
        try send(topic: topic, partition: partition, key: key, value: value, timestamp: timestamp, headers: [],
                 tag: Self.changelogTag)
    }

    /// Forgets what was acknowledged for a changelog partition (its task is created anew).
    func forgetChangelogOffset(_ partition: TopicPartition) {
        changelogOffsets.forget(partition)
    }

    /// The highest acknowledged offset of a changelog partition since the producer started.
    func acknowledgedChangelogOffset(_ partition: TopicPartition) -> Int64? {
        changelogOffsets.offset(of: partition)
    }

    func send(
        topic: String, partition: Int32?, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?,
        timestamp: Int64, headers: RecordHeaders
    ) throws {
        try send(topic: topic, partition: partition, key: key, value: value, timestamp: timestamp, headers: headers, tag: 0)
    }

    private func send(
        topic: String, partition: Int32?, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?,
        timestamp: Int64, headers: RecordHeaders, tag: UInt64
    ) throws {
        let kafkaHeaders = headers.isEmpty ? [] : headers.map { KafkaHeader(name: $0.key, value: $0.value) }
        // A full local queue drains as the broker acknowledges: serve reports and retry, bounded.
        for attempt in 0..<600 {
            do {
                try producer.produce(
                    topic: topic, partition: partition, key: key, value: value, headers: kafkaHeaders,
                    timestamp: timestamp, tag: tag)
                sentSinceLastReport += 1
                return
            } catch where error.errorCode == .queueFull && attempt < 599 {
                producer.poll(timeout: .milliseconds(100))
            } catch {
                throw StreamsError.production(topic: topic, message: "\(error)")
            }
        }
    }

    func partitionCount(of topic: String) throws -> Int32 {
        if let count = partitionCounts[topic] { return count }
        do {
            let count = Int32(try producer.partitionCount(topic: topic, timeout: .seconds(30)))
            partitionCounts[topic] = count
            return count
        } catch {
            throw StreamsError.production(topic: topic, message: "cannot read its partition count: \(error)")
        }
    }

    /// Serves delivery reports; returns failed deliveries since the last call.
    func poll() -> [DeliveryReport] {
        producer.poll(timeout: .zero)
        return failures.take()
    }

    /// Waits until every record sent so far is acknowledged; returns failed deliveries.
    func flush(timeout: Duration) throws -> [DeliveryReport] {
        do {
            try producer.flush(timeout: timeout)
        } catch {
            throw StreamsError.production(topic: "*", message: "flush did not complete within \(timeout): \(error)")
        }
        return failures.take()
    }
}
