import KafkaStreams
import RdKafka

/// librdkafka settings shared by every row, so the hand-written loops run with what the streams
/// runtime uses.
///
/// The consumer and producer properties copy `ClientDefaults` in
/// Sources/KafkaStreams/Runtime/ClientDefaults.swift (internal to the library): keep them in step.
struct ClientSettings: Sendable {
    /// `host:port` of the broker.
    let bootstrapServers: String
    /// Extra producer properties of every producer (the streams runtime's too), such as
    /// `compression.codec`.
    let producerExtras: [String: String]
    /// Extra consumer properties of every processing consumer (the streams runtime's too).
    let consumerExtras: [String: String]
    /// How often rows commit: the streams rows' `commitInterval`, the raw loops' commit period.
    let commitInterval: Duration

    /// Consumer properties of the streams runtime (`ClientDefaults.consumer`, at-least-once), plus the
    /// session settings `EmbeddedKafkaCluster.streamsConfig` uses (fast first join on the mock).
    func consumer(groupID: String) -> KafkaConfiguration {
        KafkaConfiguration([
            "bootstrap.servers": bootstrapServers,
            "group.id": groupID,
            "client.id": "\(groupID)-consumer",
            "enable.auto.commit": "false",
            "enable.auto.offset.store": "false",
            "auto.offset.reset": "earliest",
            "partition.assignment.strategy": "range",
            "queued.min.messages": "200000",
            "queued.max.messages.kbytes": "262144",
        ].merging(Self.sessionProperties) { _, new in new }.merging(consumerExtras) { _, new in new })
    }

    /// Producer properties of the streams runtime (`ClientDefaults.producer`) plus ``producerExtras``,
    /// then `overrides`.
    func producer(clientID: String, overrides: [String: String] = [:]) -> KafkaConfiguration {
        KafkaConfiguration([
            "bootstrap.servers": bootstrapServers,
            "client.id": clientID,
            "enable.idempotence": "true",
            "partitioner": "murmur2_random",
            "linger.ms": "5",
            "batch.num.messages": "10000",
        ].merging(producerExtras) { _, new in new }.merging(overrides) { _, new in new })
    }

    /// A consumer that only reads assigned partitions (checks, watermarks), with large pre-fetch
    /// queues so that reading back outputs is quick.
    func reader(groupID: String) -> KafkaConfiguration {
        KafkaConfiguration([
            "bootstrap.servers": bootstrapServers,
            "group.id": groupID,
            "enable.auto.commit": "false",
            "enable.partition.eof": "true",
            "queued.min.messages": "1000000",
            "queued.max.messages.kbytes": "1048576",
        ])
    }

    /// The reader of a latency phase: a ``reader(groupID:)`` that waits for fetches as the
    /// processing consumers do (`fetch.wait.max.ms` from ``consumerExtras``, if set).
    func latencyReader(groupID: String) -> KafkaConfiguration {
        var properties = ["bootstrap.servers": bootstrapServers, "group.id": groupID, "enable.auto.commit": "false"]
        if let fetchWait = consumerExtras["fetch.wait.max.ms"] { properties["fetch.wait.max.ms"] = fetchWait }
        return KafkaConfiguration(properties)
    }

    /// A streams configuration for a row: same broker, producer extras and commit interval.
    func streamsConfig(applicationID: String, stateDir: String) -> StreamsConfig {
        var config = StreamsConfig(applicationID: applicationID, bootstrapServers: bootstrapServers)
        config.commitInterval = commitInterval
        config.stateDir = stateDir
        config.consumerProperties = Self.sessionProperties.merging(consumerExtras) { _, new in new }
        config.producerProperties = producerExtras
        return config
    }

    /// A rejoining member waits up to `session.timeout.ms` for its assignment (../shared/BROKERS.md).
    static let sessionProperties = ["session.timeout.ms": "6000", "heartbeat.interval.ms": "2000"]
}
