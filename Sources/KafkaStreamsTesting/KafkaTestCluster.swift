import Foundation
import KafkaStreams
import RdKafka

/// A Kafka cluster that tests run against: the in-process ``EmbeddedKafkaCluster``, or an
/// ``ExternalKafkaCluster`` such as the broker `scripts/broker` starts.
///
/// Tests written against this protocol run on both:
///
/// ```swift
/// @Test(arguments: KafkaTestClusters.available())
/// func wordCount(cluster: any KafkaTestCluster) throws { ... }
/// ```
public protocol KafkaTestCluster: Sendable {
    /// `host:port` of the cluster.
    var bootstrapServers: String { get }
    /// How applications on this cluster create their internal topics.
    var topicCreator: TopicCreator { get }
    /// Creates a topic (an existing topic is left as it is).
    func createTopic(_ name: String, partitions: Int32) throws
}

extension KafkaTestCluster {
    /// A configuration for an application on this cluster, with settings for fast tests: short
    /// commit interval and session timeout, and a fresh state directory.
    public func streamsConfig(applicationID: String) -> StreamsConfig {
        var config = StreamsConfig(applicationID: applicationID, bootstrapServers: bootstrapServers)
        config.commitInterval = .milliseconds(100)
        config.stateDir = FileManager.default.temporaryDirectory
            .appendingPathComponent("kafka-streams-test-\(UUID().uuidString)").path
        config.consumerProperties = ["session.timeout.ms": "6000", "heartbeat.interval.ms": "2000"]
        return config
    }

    /// Produces records and waits until all are acknowledged.
    public func produce<Key, Value>(
        _ topic: String, _ records: [(Key, Value)], key: Serde<Key>, value: Serde<Value>, timestamp: Int64? = nil,
        timeout: Duration = .seconds(30)
    ) throws {
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: bootstrapServers, ["partitioner": "murmur2_random"]))
        for (recordKey, recordValue) in records {
            try producer.produce(
                topic: topic, key: try key.serialize(recordKey), value: try value.serialize(recordValue),
                timestamp: timestamp)
        }
        try producer.flush(timeout: timeout)
    }

    /// Reads every record of `topic` from the beginning until `count` records are read or
    /// `timeout` passes, then returns what was read (check the count).
    public func readRecords<Key, Value>(
        _ topic: String, key: Serde<Key>, value: Serde<Value>, count: Int, timeout: Duration = .seconds(30)
    ) throws -> [TestRecord<Key, Value>] {
        let consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(
                bootstrapServers: bootstrapServers,
                ["group.id": "reader-\(UUID().uuidString)", "enable.auto.commit": "false"]))
        defer { consumer.close() }
        let partitions = try consumer.partitionCount(topic: topic, timeout: .seconds(10))
        try consumer.assign(
            (0..<Int32(partitions)).map { TopicPartitionOffset(topic: topic, partition: $0, offset: KafkaOffset.beginning) })
        var records: [TestRecord<Key, Value>] = []
        let deadline = ContinuousClock.now + timeout
        while records.count < count && ContinuousClock.now < deadline {
            for record in try consumer.poll(maxRecords: 1000, timeout: .milliseconds(100)) {
                records.append(
                    TestRecord(
                        key: try key.deserialize(record.key), value: try value.deserialize(record.value),
                        timestamp: record.timestamp, headers: RecordHeaders(record.headers.map { RecordHeader(key: $0.name, value: $0.value) }),
                        partition: record.partition))
            }
        }
        return records
    }

    /// Waits until consumer group `groupID` has committed, for every partition of `topics`, the
    /// partition's end offset: everything written so far has been processed and committed.
    ///
    /// - Throws: ``KafkaTestClusterError/timedOut(_:)`` naming the lagging partitions.
    public func waitUntilConsumed(groupID: String, topics: [String], timeout: Duration = .seconds(60)) throws {
        let consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(bootstrapServers: bootstrapServers, ["group.id": groupID]))
        defer { consumer.close() }
        var partitions: [TopicPartition] = []
        for topic in topics {
            let count = try consumer.partitionCount(topic: topic, timeout: .seconds(10))
            partitions += (0..<Int32(count)).map { TopicPartition(topic: topic, partition: $0) }
        }
        let deadline = ContinuousClock.now + timeout
        var lagging: [String] = []
        repeat {
            let committed = try consumer.committed(partitions, timeout: .seconds(10))
            lagging = []
            for offset in committed {
                let (_, high) = try consumer.watermarkOffsets(
                    topic: offset.topic, partition: offset.partition, timeout: .seconds(10))
                let position = max(offset.offset, 0)
                if position < high { lagging.append("\(offset.topic)-\(offset.partition): \(position)/\(high)") }
            }
            if lagging.isEmpty { return }
            Thread.sleep(forTimeInterval: 0.05)
        } while ContinuousClock.now < deadline
        throw KafkaTestClusterError.timedOut("group \(groupID) has not consumed \(lagging.joined(separator: ", "))")
    }

}

/// A test cluster operation that did not complete.
public enum KafkaTestClusterError: Error, Sendable, CustomStringConvertible {
    /// A wait ran out of time; the message says what was missing.
    case timedOut(String)
    /// The cluster asked for is not available here.
    case unavailable(String)

    public var description: String {
        switch self {
        case .timedOut(let message): "KafkaTestClusterError: timed out: \(message)"
        case .unavailable(let message): "KafkaTestClusterError: unavailable: \(message)"
        }
    }
}
