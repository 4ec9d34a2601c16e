import CRdKafka
import Logging
import Synchronization

/// librdkafka's in-process mock Kafka cluster: the embedded broker for tests and examples.
///
/// It listens on real loopback TCP ports, so any client (in this process or another) can use
/// ``bootstrapServers`` while the cluster lives.
///
/// ```swift
/// let cluster = try MockCluster()
/// defer { cluster.stop() }
/// try cluster.createTopic("orders", partitions: 4)
/// let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers))
/// ```
///
/// What it does and does not do (measured with librdkafka 2.0.2):
/// - Works: produce/consume with keys, headers, timestamps, tombstones; consumer groups with
///   commits, range and cooperative-sticky rebalances; idempotent producers; the transactional
///   API calls (they return OK). Topics are auto-created with 4 partitions on produce or a
///   metadata request; create others with ``createTopic(_:partitions:replicationFactor:)``.
/// - Admin `CreateTopics`, `DeleteTopics` (``KafkaAdmin/createTopics(_:timeout:)``) and
///   `DescribeConfigs` do not work: they time out waiting for a controller.
///   ``KafkaAdmin/describeConsumerGroups(_:timeout:)`` fails with
///   ``KafkaError/Code/unsupportedFeature`` (the mock has no ListGroups/DescribeGroups).
/// - Delivery reports carry the LogAppendTime the mock answers with, a fixed `1234`
///   (``DeliveryReport/timestampType`` is ``KafkaTimestampType/logAppendTime``); consumed records
///   keep their CreateTime.
/// - Transactions are not enforced: `read_committed` consumers see aborted and open records,
///   offsets sent with ``KafkaProducer/sendOffsetsToTransaction(_:groupMetadata:timeout:)`` are
///   not stored, older producers with the same `transactional.id` are not fenced.
/// - **Each partition keeps at most about 5 MiB of record batches (or 100,000 batches).** Older
///   batches are silently deleted and the low watermark moves up, so a consumer that needs all
///   records must keep every partition under that: more partitions, smaller inputs, or producer
///   compression (`compression.codec=lz4`). With 100-byte records about 46,000 fit per partition.
///   The limit is built into librdkafka's mock and cannot be changed.
///
/// Stop the clients using the cluster (close consumers) before stopping the cluster: a consumer
/// closing against a stopped cluster waits for its timeouts.
public final class MockCluster: @unchecked Sendable {
    // Sendable: rd_kafka_mock_* calls are thread-safe (they are handed to the mock cluster's own
    // thread); the cluster pointer is guarded so that stop() cannot race with them.
    private let handle: OpaquePointer
    private let callbacks: ClientCallbacks
    private let cluster: Mutex<OpaquePointer?>

    /// The `bootstrap.servers` value for clients of this cluster, such as `127.0.0.1:40123`.
    public let bootstrapServers: String

    /// The number of brokers, with ids from 1.
    public let brokerCount: Int

    /// Starts a mock cluster.
    ///
    /// - Parameters:
    ///   - brokers: the number of brokers (ids 1...brokers).
    ///   - logger: receives the log lines of the mock cluster's owning client.
    public init(brokers: Int = 1, logger: Logger = Logger(label: "rdkafka.mock")) throws(KafkaError) {
        guard (1...1000).contains(brokers) else {
            throw KafkaError(code: .invalidArgument, message: "mock cluster: brokers must be in 1...1000, not \(brokers)")
        }
        self.brokerCount = brokers
        self.callbacks = ClientCallbacks(logger: logger)
        // The cluster is owned by a client handle; this one never connects anywhere.
        let handle = try callbacks.makeHandle(type: RD_KAFKA_PRODUCER, configuration: ["client.id": "mock-cluster-owner"])
        guard let cluster = rd_kafka_mock_cluster_new(handle, Int32(brokers)) else {
            rd_kafka_destroy(handle)
            throw KafkaError(code: .fail, message: "mock cluster: rd_kafka_mock_cluster_new failed")
        }
        guard let servers = rd_kafka_mock_cluster_bootstraps(cluster) else {
            rd_kafka_mock_cluster_destroy(cluster)
            rd_kafka_destroy(handle)
            throw KafkaError(code: .fail, message: "mock cluster: no bootstrap servers")
        }
        self.bootstrapServers = String(cString: servers)
        self.handle = handle
        self.cluster = Mutex(cluster)
    }

    deinit {
        stop()
        rd_kafka_destroy(handle)
    }

    /// Whether ``stop()`` has been called.
    public var isStopped: Bool { cluster.withLock { $0 == nil } }

    /// Creates a topic with the given partition count (this is how to create topics on the mock:
    /// admin CreateTopics does not work on it).
    ///
    /// - Throws: ``KafkaError/Code/topicAlreadyExists`` if it exists (also when auto-created).
    public func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32 = 1) throws(KafkaError) {
        try withCluster("create topic \(name)") { cluster throws(KafkaError) in
            try KafkaError.check(
                rd_kafka_mock_topic_create(cluster, name, partitions, replicationFactor),
                context: "mock cluster: create topic \(name)"
            )
        }
    }

    /// Takes a broker down (closing its connections and refusing new ones), to test failures.
    public func setBrokerDown(_ brokerID: Int32) throws(KafkaError) {
        try withCluster("broker \(brokerID) down") { cluster throws(KafkaError) in
            try KafkaError.check(rd_kafka_mock_broker_set_down(cluster, brokerID), context: "mock cluster: broker \(brokerID) down")
        }
    }

    /// Brings a broker taken down with ``setBrokerDown(_:)`` back up.
    public func setBrokerUp(_ brokerID: Int32) throws(KafkaError) {
        try withCluster("broker \(brokerID) up") { cluster throws(KafkaError) in
            try KafkaError.check(rd_kafka_mock_broker_set_up(cluster, brokerID), context: "mock cluster: broker \(brokerID) up")
        }
    }

    /// Stops the cluster and closes its listeners. Idempotent; also done when it is released.
    public func stop() {
        let stopped = cluster.withLock { cluster -> OpaquePointer? in
            defer { cluster = nil }
            return cluster
        }
        if let stopped { rd_kafka_mock_cluster_destroy(stopped) }
    }

    private func withCluster(_ operation: String, _ body: (OpaquePointer) throws(KafkaError) -> Void) throws(KafkaError) {
        try cluster.withLock { cluster throws(KafkaError) in
            guard let cluster else {
                throw KafkaError(code: .state, message: "mock cluster: \(operation): the cluster is stopped")
            }
            try body(cluster)
        }
    }
}
