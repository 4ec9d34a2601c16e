import Foundation
import RocksDB

/// The settings of a Kafka Streams application.
///
/// ```swift
/// var config = StreamsConfig(applicationID: "wordcount", bootstrapServers: "localhost:9092")
/// config.numStreamThreads = 2
/// config.processingGuarantee = .exactlyOnceV2
/// ```
///
/// Settings are checked by ``validate()`` (called by `KafkaStreams.start()` and the test driver);
/// an invalid one is a ``StreamsConfigError`` that names it.
public struct StreamsConfig: Sendable {
    /// Identifies the application: consumer group id, prefix of internal topics and state directory.
    public var applicationID: String
    /// `host:port[,host:port...]` of the Kafka cluster.
    public var bootstrapServers: String
    /// Number of stream threads, each with its own consumer and producer. Default 1.
    public var numStreamThreads: Int = 1
    /// At-least-once (default) or exactly-once v2.
    public var processingGuarantee: ProcessingGuarantee = .atLeastOnce
    /// How often to commit; `nil` means the default: 30 s, or 100 ms under exactly-once.
    public var commitInterval: Duration?
    /// Where tasks keep local state. Default: `<temporary directory>/kafka-streams`.
    public var stateDir: String = FileManager.default.temporaryDirectory
        .appendingPathComponent("kafka-streams").path
    /// Replication factor of internal topics; `-1` uses the broker's default.
    public var replicationFactor: Int16 = -1
    /// Bytes of the record cache in front of stores, shared by all threads; `0` disables it.
    public var cacheMaxBytes: Int = 10 * 1024 * 1024
    /// Memory for all RocksDB stores of the process together (block cache and write buffers).
    public var stateStoreMemoryBytes: Int = 64 * 1024 * 1024
    /// Under exactly-once, the bytes of uncommitted store writes a stream thread holds in memory
    /// (KIP-892's `statestore.uncommitted.max.bytes`). Stores apply a transaction's writes only
    /// once it commits; when a thread's pending writes pass this bound it commits early.
    /// Default 64 MiB.
    public var stateStoreUncommittedMaxBytes: Int = 64 * 1024 * 1024
    /// Faults to inject into exactly-once transactions: for this package's tests only.
    package var transactionFaults: TransactionFaultInjector?
    /// What to do with records that cannot be deserialized. Default: log and fail.
    public var defaultDeserializationExceptionHandler: DeserializationExceptionHandler = .logAndFail
    /// What to do when a record cannot be produced. Default: fail.
    public var productionExceptionHandler: ProductionExceptionHandler = .fail
    /// What to do when a processor throws. Default: log and fail.
    public var processingExceptionHandler: ProcessingExceptionHandler = .logAndFail
    /// Gives records their event time, for sources whose `Consumed` has no extractor of its
    /// own. Default: the timestamp the record was written with.
    public var defaultTimestampExtractor: any TimestampExtractor = RecordTimestampExtractor()
    /// What to do with records whose extracted timestamp is negative. Default: log and skip.
    public var invalidTimestampHandler: InvalidTimestampHandler = .logAndSkip
    /// `host:port` where this instance serves interactive queries, shared with the group.
    public var applicationServer: String?
    /// Tunes the RocksDB options of each persistent store (Kafka Streams' `RocksDBConfigSetter`),
    /// called with the store's name after the shared cache and write-buffer budget are set.
    ///
    /// ```swift
    /// config.rocksDBConfigSetter = { store, options in
    ///     options.compression = .lz4
    ///     if store == "big-store" { options.writeBufferSize = 32 << 20 }
    /// }
    /// ```
    public var rocksDBConfigSetter: (@Sendable (_ storeName: String, _ options: inout RocksDBOptions) -> Void)?
    /// Hears state restoration progress, if set.
    public var stateRestoreListener: StateRestoreListener?
    /// librdkafka settings for every client (for example `security.protocol`, `sasl.mechanisms`).
    public var kafkaProperties: [String: String] = [:]
    /// librdkafka settings for the consumers only; override ``kafkaProperties``.
    public var consumerProperties: [String: String] = [:]
    /// librdkafka settings for the producers only; override ``kafkaProperties``.
    public var producerProperties: [String: String] = [:]

    public init(applicationID: String, bootstrapServers: String) {
        self.applicationID = applicationID
        self.bootstrapServers = bootstrapServers
    }

    /// The commit interval in force: the set one, or the guarantee's default.
    public var effectiveCommitInterval: Duration {
        commitInterval ?? (processingGuarantee == .exactlyOnceV2 ? .milliseconds(100) : .seconds(30))
    }

    /// Checks every setting; throws the first invalid one.
    public func validate() throws(StreamsConfigError) {
        if applicationID.isEmpty {
            throw StreamsConfigError(setting: "applicationID", message: "must not be empty")
        }
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        if applicationID.unicodeScalars.contains(where: { !allowed.contains($0) }) {
            throw StreamsConfigError(
                setting: "applicationID",
                message: "\"\(applicationID)\" may contain only ASCII letters, digits, '.', '_' and '-' (it names topics)")
        }
        if bootstrapServers.trimmingCharacters(in: .whitespaces).isEmpty {
            throw StreamsConfigError(setting: "bootstrapServers", message: "must name at least one host:port")
        }
        if numStreamThreads < 1 {
            throw StreamsConfigError(setting: "numStreamThreads", message: "must be at least 1, got \(numStreamThreads)")
        }
        if let commitInterval, commitInterval < .zero {
            throw StreamsConfigError(setting: "commitInterval", message: "must not be negative, got \(commitInterval)")
        }
        if stateDir.isEmpty {
            throw StreamsConfigError(setting: "stateDir", message: "must not be empty")
        }
        if replicationFactor == 0 || replicationFactor < -1 {
            throw StreamsConfigError(
                setting: "replicationFactor", message: "must be -1 (broker default) or at least 1, got \(replicationFactor)")
        }
        if cacheMaxBytes < 0 {
            throw StreamsConfigError(setting: "cacheMaxBytes", message: "must not be negative, got \(cacheMaxBytes)")
        }
        if stateStoreUncommittedMaxBytes < 1 {
            throw StreamsConfigError(
                setting: "stateStoreUncommittedMaxBytes", message: "must be positive, got \(stateStoreUncommittedMaxBytes)")
        }
        if stateStoreMemoryBytes < 1024 * 1024 {
            throw StreamsConfigError(
                setting: "stateStoreMemoryBytes", message: "must be at least 1 MiB, got \(stateStoreMemoryBytes)")
        }
        if let applicationServer {
            let parts = applicationServer.split(separator: ":")
            if parts.count != 2 || parts[0].isEmpty || UInt16(parts[1]) == nil {
                throw StreamsConfigError(
                    setting: "applicationServer", message: "must be host:port, got \"\(applicationServer)\"")
            }
        }
    }
}

/// An invalid setting of ``StreamsConfig``.
public struct StreamsConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The setting at fault, as the property's name or the librdkafka key.
    public let setting: String
    /// What is wrong with it.
    public let message: String

    public init(setting: String, message: String) {
        self.setting = setting
        self.message = message
    }

    public var description: String { "StreamsConfigError: \(setting) \(message)" }
}
