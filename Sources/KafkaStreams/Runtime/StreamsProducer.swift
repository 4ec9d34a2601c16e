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
    private var partitionCounts: [String: Int32] = [:]

    /// Failed deliveries, written by the delivery report handler (on the polling thread).
    final class DeliveryFailures: Sendable {
        private let reports = Mutex<[DeliveryReport]>([])
        func record(_ report: DeliveryReport) { reports.withLock { $0.append(report) } }
        func take() -> [DeliveryReport] { reports.withLock { reports in defer { reports = [] }; return reports } }
    }

    init(config: StreamsConfig, clientID: String) throws {
        let failures = DeliveryFailures()
        self.failures = failures
        do {
            self.producer = try KafkaProducer(
                configuration: ClientDefaults.producer(config, clientID: clientID),
                deliveryReportHandler: { report in
                    if report.error != nil { failures.record(report) }
                })
        } catch {
            throw StreamsConfigError(setting: "producerProperties", message: "\(error)")
        }
    }

    func send(
        topic: String, partition: Int32?, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?,
        timestamp: Int64, headers: RecordHeaders
    ) throws {
        let kafkaHeaders = headers.isEmpty ? [] : headers.map { KafkaHeader(name: $0.key, value: $0.value) }
        // A full local queue drains as the broker acknowledges: serve reports and retry, bounded.
        for attempt in 0..<600 {
            do {
                try producer.produce(
                    topic: topic, partition: partition, key: key, value: value, headers: kafkaHeaders,
                    timestamp: timestamp)
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
