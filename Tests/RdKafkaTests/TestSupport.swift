import Foundation
import Synchronization
import Logging
import RdKafka
import Testing

/// The logger handed to clients in tests: quiet (several tests talk to unreachable brokers on
/// purpose) unless `RDKAFKA_TEST_LOG_LEVEL` (such as `debug` or `warning`) asks for more.
let testLogger: Logger = {
    var logger = Logger(label: "rdkafka.test")
    logger.logLevel = ProcessInfo.processInfo.environment["RDKAFKA_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
    return logger
}()

/// A name no other test (or earlier run against an external broker) uses.
func uniqueName(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}

func bytes(_ string: String) -> [UInt8] { Array(string.utf8) }

struct DeadlineExceeded: Error, CustomStringConvertible {
    var description: String
}

/// Repeats `step` (which should itself block briefly, for example by polling a client) until it
/// returns true; fails with `description` after `timeout`.
func eventually(
    _ description: String,
    timeout: Duration = .seconds(30),
    _ step: () throws -> Bool
) throws {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while clock.now < deadline {
        if try step() { return }
    }
    throw DeadlineExceeded(description: "timed out after \(timeout) waiting for \(description)")
}

/// Consumer properties for tests: earliest offsets, manual commits, short session timeouts.
func consumerConfiguration(bootstrapServers: String, group: String, _ extra: [String: String] = [:]) -> KafkaConfiguration {
    KafkaConfiguration(bootstrapServers: bootstrapServers, [
        "group.id": group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": "false",
        "session.timeout.ms": "6000",
        "heartbeat.interval.ms": "2000",
    ]).merging(extra)
}

/// A consumer of a new group, assigned partition 0 of `topic` from its beginning (no group join).
func consumerFromBeginning(
    bootstrapServers: String, topic: String, _ extra: [String: String] = [:]
) throws -> KafkaConsumer {
    let consumer = try KafkaConsumer(
        configuration: consumerConfiguration(bootstrapServers: bootstrapServers, group: uniqueName("g"), extra),
        logger: testLogger)
    try consumer.assign([TopicPartitionOffset(topic: topic, partition: 0, offset: KafkaOffset.beginning)])
    return consumer
}

/// Polls records one at a time until `count` arrived.
func consume(_ consumer: KafkaConsumer, count: Int, timeout: Duration = .seconds(30)) throws -> [ConsumerRecord] {
    var records: [ConsumerRecord] = []
    try eventually("\(count) records (got \(records.count))", timeout: timeout) {
        if let record = try consumer.poll(timeout: .milliseconds(100)) { records.append(record) }
        return records.count >= count
    }
    return records
}

/// Produces and waits for delivery, failing on any delivery error.
func produceAndFlush(
    _ bootstrapServers: String,
    topic: String,
    partition: Int32? = 0,
    values: [String],
    extra: [String: String] = [:]
) throws {
    let reports = DeliveryReports()
    let producer = try KafkaProducer(
        configuration: KafkaConfiguration(bootstrapServers: bootstrapServers, extra),
        logger: testLogger,
        deliveryReportHandler: reports.handler
    )
    for (index, value) in values.enumerated() {
        try producer.produce(topic: topic, partition: partition, key: bytes("key-\(index)"), value: bytes(value))
    }
    try producer.flush(timeout: .seconds(30))
    let all = reports.all
    #expect(all.count == values.count)
    for report in all {
        if let error = report.error { throw error }
    }
}

/// Collects delivery reports from a producer's handler.
final class DeliveryReports: Sendable {
    private let reports = Mutex<[DeliveryReport]>([])

    var handler: @Sendable (DeliveryReport) -> Void {
        { report in self.reports.withLock { $0.append(report) } }
    }

    var all: [DeliveryReport] { reports.withLock { $0 } }
}

/// Collects rebalance events from a consumer's handler.
final class RebalanceEvents: Sendable {
    private let events = Mutex<[RebalanceEvent]>([])

    var handler: @Sendable (RebalanceEvent) -> Void {
        { event in self.events.withLock { $0.append(event) } }
    }

    var all: [RebalanceEvent] { events.withLock { $0 } }
}

/// Collects global errors from a client's error handler.
final class ErrorCollector: Sendable {
    private let errors = Mutex<[KafkaError]>([])

    var handler: @Sendable (KafkaError) -> Void {
        { error in self.errors.withLock { $0.append(error) } }
    }

    var all: [KafkaError] { errors.withLock { $0 } }
}
