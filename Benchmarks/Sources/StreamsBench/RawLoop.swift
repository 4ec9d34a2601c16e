import Foundation
import RdKafka

/// What the hand-written loops share with the streams runtime's stream thread: one consumer in a
/// group, batches of up to 1,000 zero-copy messages, an asynchronous producer served after each
/// batch, and at-least-once commits every commit interval (flush the producer, then commit the
/// offsets after the last processed records).
final class RawLoop {
    let consumer: KafkaConsumer
    let producer: KafkaProducer
    private let failures = DeliveryFailures()
    private let settings: ClientSettings
    private let topics: [String]
    private let partitions: Int
    private var lastCommit = ContinuousClock.now

    /// - Parameter outputs: the topics the loop produces to. Their metadata is fetched before the
    ///   loop subscribes, as the streams runtime's sinks do (they look up partition counts when
    ///   they are created): otherwise the first records wait in librdkafka's unassigned queue for
    ///   metadata, while the consumer pre-fetches, and no output appears until pre-fetching ends.
    init(settings: ClientSettings, groupID: String, topics: [String], outputs: [String], partitions: Int) throws {
        self.settings = settings
        let failures = failures
        // Reports of failed deliveries only, as the streams runtime asks for: a report of every
        // delivery builds a `DeliveryReport` (and its topic `String`) per record, ~8% of the
        // pass-through loop's thread.
        producer = try KafkaProducer(
            configuration: settings.producer(clientID: "\(groupID)-producer"),
            deliveryReportHandler: { failures.record($0) }, deliveryReports: .failuresAndTagged)
        for output in outputs { _ = try producer.partitionCount(topic: output, timeout: .seconds(30)) }
        consumer = try KafkaConsumer(configuration: settings.consumer(groupID: groupID))
        self.topics = topics
        self.partitions = partitions
        try consumer.subscribe(topics: topics)
    }

    /// Polls and processes batches until `control` says stop, then commits and closes.
    ///
    /// - Parameter process: handles one message and returns the index of its topic in `topics`.
    func run(_ control: BackgroundLoop, process: (borrowing KafkaMessageView) throws -> Int) throws {
        // Next offset to commit per topic (index in `topics`) and partition, at
        // `topic * partitions + partition`: last processed + 1, or -1. A local, as a hand-written
        // loop keeps it: a property of the class, written per record, cost a dynamic exclusivity
        // check per record (~110 instructions, ~4% of the pass-through loop's thread).
        var nextOffsets = [Int64](repeating: -1, count: topics.count * partitions)
        while !control.shouldStop {
            if !control.isAssigned, let assignment = try? consumer.assignment(), !assignment.isEmpty {
                control.markAssigned()
            }
            try consumer.pollBatch(maxMessages: 1000, timeout: .milliseconds(50)) { message in
                let topic = try process(message)
                nextOffsets[topic * partitions + Int(message.partition)] = message.offset + 1
            }
            producer.poll()
            try failures.check()
            if ContinuousClock.now - lastCommit >= settings.commitInterval {
                try commit(nextOffsets)
            }
        }
        try commit(nextOffsets)
        consumer.close()
    }

    /// A handle of an output topic, to ``send(to:key:value:timestamp:)`` to: records are produced
    /// through topic handles, as the streams runtime produces them.
    func topic(_ name: String) throws -> KafkaProducer.Topic {
        try producer.topic(name)
    }

    /// Sends one record, retrying while the local queue is full.
    func send(to topic: KafkaProducer.Topic, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?, timestamp: Int64) throws {
        try InputData.produce(producer, to: topic, key: key, value: value, timestamp: timestamp >= 0 ? timestamp : nil)
    }

    private func commit(_ nextOffsets: [Int64]) throws {
        try producer.flush(timeout: .seconds(60))
        try failures.check()
        var offsets: [TopicPartitionOffset] = []
        for (index, offset) in nextOffsets.enumerated() where offset >= 0 {
            offsets.append(TopicPartitionOffset(topic: topics[index / partitions], partition: Int32(index % partitions), offset: offset))
        }
        try consumer.commit(offsets)
        lastCommit = .now
    }
}
