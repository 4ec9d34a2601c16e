import Foundation
import Logging
import RdKafka

/// The crash test's own clients: topics, input, reading topics to their end, and the zombie.
struct CrashKafka {
    let bootstrapServers: String
    let logger: Logger

    func createTopics(_ names: [String], partitions: Int32) throws {
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: bootstrapServers), logger: logger)
        try admin.createTopics(names.map { NewTopic(name: $0, partitions: partitions) }, timeout: .seconds(30))
    }

    /// Deletes what the run created; failures only matter to the broker's memory, so they are printed.
    func deleteTopics(_ names: [String]) {
        do {
            let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: bootstrapServers), logger: logger)
            try admin.deleteTopics(names, timeout: .seconds(30))
        } catch {
            emit("crash-test: note: could not delete the run's topics: \(error)")
        }
    }

    func feeder(topic: String) throws -> Feeder {
        Feeder(
            producer: try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: bootstrapServers), logger: logger),
            topic: topic)
    }

    /// Registers `transactionalID` with the transaction coordinator, as a restarted zombie would:
    /// the producer that used the id until now is fenced (its open transaction is aborted).
    /// Returns the zombie, to check later that the app fenced it in turn.
    func fence(transactionalID: String) throws -> KafkaProducer {
        // Silent: its fencing later on is expected, and librdkafka logs it as critical.
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(bootstrapServers: bootstrapServers, ["transactional.id": transactionalID]),
            logger: Logger(label: "zombie", factory: { _ in SwiftLogNoOpLogHandler() }))
        try producer.initTransactions(timeout: .seconds(30))
        return producer
    }

    /// Tries one transaction with the zombie; returns the error that fenced it, or nil when it
    /// committed (nobody registered the transactional id after it).
    func zombieTransaction(_ zombie: KafkaProducer, topic: String) -> KafkaError? {
        do {
            try zombie.beginTransaction()
            try zombie.produce(topic: topic, key: nil, value: Array("zombie".utf8))
            try zombie.commitTransaction(timeout: .seconds(30))
            return nil
        } catch {
            return error
        }
    }

    func reader(topic: String, partitions: Int32, readCommitted: Bool) throws -> TopicReader {
        try TopicReader(
            bootstrapServers: bootstrapServers, topic: topic, partitions: partitions, readCommitted: readCommitted,
            logger: logger)
    }
}

/// Reads a topic from the beginning of all its partitions, and knows when it has reached the end of
/// every partition (librdkafka's end-of-partition events: Tansu's end offsets are not reliable).
final class TopicReader {
    private let consumer: KafkaConsumer
    private let partitions: Int32
    private var atEnd: Set<Int32> = []
    private(set) var records: [ConsumerRecord] = []

    init(bootstrapServers: String, topic: String, partitions: Int32, readCommitted: Bool, logger: Logger) throws {
        consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(
                bootstrapServers: bootstrapServers,
                [
                    "group.id": "crash-test-reader-\(UUID().uuidString)",
                    "enable.auto.commit": "false",
                    "enable.partition.eof": "true",
                    "isolation.level": readCommitted ? "read_committed" : "read_uncommitted",
                    "fetch.wait.max.ms": "50",
                ]),
            logger: logger)
        self.partitions = partitions
        try consumer.assign(
            (0..<partitions).map { TopicPartitionOffset(topic: topic, partition: $0, offset: KafkaOffset.beginning) })
    }

    deinit { consumer.close() }

    /// True when every partition reported its end and no record arrived since.
    var isAtEnd: Bool { atEnd.count == Int(partitions) }

    /// Reads what is there for up to `timeout`; returns early once every partition is at its end.
    /// Returns the number of records read.
    @discardableResult
    func read(timeout: Duration) throws -> Int {
        let deadline = ContinuousClock.now + timeout
        var count = 0
        while ContinuousClock.now < deadline {
            switch try consumer.pollEvent(timeout: .milliseconds(50)) {
            case .record(let record):
                records.append(record)
                atEnd.remove(record.partition)
                count += 1
            case .partitionEOF(let end):
                atEnd.insert(end.partition)
                if isAtEnd { return count }
            case nil:
                if isAtEnd { return count }
            }
        }
        return count
    }

    /// Reads until every partition is at its end; throws when that takes longer than `timeout`.
    func readToEnd(timeout: Duration) throws {
        try read(timeout: timeout)
        guard isAtEnd else {
            throw CrashTestFailure("reading did not reach the end of every partition within \(timeout)")
        }
    }
}

/// Produces the input lines (null keys, so they spread over the partitions).
struct Feeder {
    let producer: KafkaProducer
    let topic: String

    /// Produces lines and waits until every one is acknowledged.
    func produce(_ lines: ArraySlice<String>) throws {
        guard !lines.isEmpty else { return }
        for line in lines {
            while try !produce(line) {
                producer.poll(timeout: .milliseconds(100))
            }
        }
        try producer.flush(timeout: .seconds(60))
    }

    /// Queues one line; false when the local queue is full.
    private func produce(_ line: String) throws -> Bool {
        do {
            try producer.produce(topic: topic, key: nil, value: Array(line.utf8))
            return true
        } catch {
            if error.errorCode == .queueFull { return false }
            throw error
        }
    }
}
