/// An error while a topology runs: in a task, a store, or the runtime around them.
public enum StreamsError: Error, Sendable, CustomStringConvertible {
    /// A record could not be deserialized and the deserialization handler chose to fail.
    case deserialization(topic: String, partition: Int32, offset: Int64, underlying: SerdeError)
    /// A processor threw and the processing handler chose to fail.
    case processing(node: String, taskID: String, message: String)
    /// A record could not be produced and the production handler chose to fail.
    case production(topic: String, message: String)
    /// A record's extracted timestamp is negative and ``InvalidTimestampHandler`` chose to fail.
    case invalidTimestamp(topic: String, partition: Int32, offset: Int64, timestamp: Int64)
    /// A key serialized to null where a store needs a key.
    case nullKey(store: String)
    /// A state store failed (disk full, RocksDB error, bad state directory).
    case stateStore(store: String, message: String)
    /// A store was asked for that the task does not have, or with other types.
    case unknownStore(name: String, message: String)
    /// The operation is not valid in the current state of the application.
    case invalidState(String)
    /// Source topics of the topology do not exist on the broker.
    case missingSourceTopics([String])
    /// The broker could not be reached, or did not answer in time.
    case brokerUnavailable(String)
    /// An exactly-once transaction failed in a way the stream thread cannot recover from: the
    /// producer hit a fatal error, or transactions kept aborting.
    case transaction(message: String)

    public var description: String {
        switch self {
        case .deserialization(let topic, let partition, let offset, let underlying):
            "StreamsError: cannot deserialize the record at \(topic)-\(partition)@\(offset): \(underlying)"
        case .processing(let node, let taskID, let message):
            "StreamsError: processor \(node) in task \(taskID) failed: \(message)"
        case .production(let topic, let message):
            "StreamsError: cannot produce to \(topic): \(message)"
        case .invalidTimestamp(let topic, let partition, let offset, let timestamp):
            "StreamsError: the record at \(topic)-\(partition)@\(offset) has the invalid (negative) timestamp \(timestamp); "
                + "use a TimestampExtractor that gives it a valid one, or StreamsConfig.invalidTimestampHandler = .logAndSkip"
        case .nullKey(let store):
            "StreamsError: a null key cannot be written to state store \(store)"
        case .stateStore(let store, let message):
            "StreamsError: state store \(store): \(message)"
        case .unknownStore(let name, let message):
            "StreamsError: state store \(name): \(message)"
        case .invalidState(let message):
            "StreamsError: \(message)"
        case .missingSourceTopics(let topics):
            "StreamsError: source topics do not exist: \(topics.sorted().joined(separator: ", "))"
        case .brokerUnavailable(let message):
            "StreamsError: broker unavailable: \(message)"
        case .transaction(let message):
            "StreamsError: exactly-once transaction failed: \(message)"
        }
    }
}
