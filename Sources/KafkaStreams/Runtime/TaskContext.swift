import Logging

/// Everything a task's nodes share: the record being processed, stream time, stores, the
/// collector that takes output, and punctuation.
///
/// One per task; used only on the thread that runs the task. The per-record properties are
/// `@exclusivity(unchecked)`: they are plain assignments and reads, never held across a call
/// that touches them (no `inout` to them), and a dynamic check costs a runtime call per access.
final class TaskContext {
    static let unknownTime: Int64 = -1

    let taskID: TaskID
    let applicationID: String
    let config: StreamsConfig
    let collector: any RecordCollector
    let logger: Logger
    let internalTopicNames: Set<String>
    let wallClock: () -> Int64

    /// Where the current record came from; `nil` during punctuation.
    ///
    /// Kept as separate fields: the stream thread sets them for every record, and assigning a
    /// `RecordMetadata` retains its topic and releases the previous one even when consecutive
    /// records share it (see ``setRecordPosition(topic:partition:offset:)``).
    var recordMetadata: RecordMetadata? {
        get {
            hasRecordPosition ? RecordMetadata(topic: recordTopic, partition: recordPartition, offset: recordOffset) : nil
        }
        set {
            if let newValue {
                setRecordPosition(topic: newValue.topic, partition: newValue.partition, offset: newValue.offset)
            } else {
                clearRecordPosition()
            }
        }
    }
    @exclusivity(unchecked) private var hasRecordPosition = false
    @exclusivity(unchecked) private var recordTopic = ""
    @exclusivity(unchecked) private var recordPartition: Int32 = 0
    @exclusivity(unchecked) private var recordOffset: Int64 = 0

    /// Sets ``recordMetadata``; the topic is stored only when it changes (comparing the same
    /// string is a comparison of its pointer).
    @inline(__always)
    func setRecordPosition(topic: String, partition: Int32, offset: Int64) {
        if topic != recordTopic { recordTopic = topic }
        recordPartition = partition
        recordOffset = offset
        hasRecordPosition = true
    }

    /// Clears ``recordMetadata``: no record is being processed.
    @inline(__always)
    func clearRecordPosition() {
        hasRecordPosition = false
    }
    /// The timestamp of the record being processed, or of the punctuation firing.
    @exclusivity(unchecked) var currentRecordTimestamp: Int64 = TaskContext.unknownTime
    /// The headers of the current input record.
    @exclusivity(unchecked) var currentHeaders: RecordHeaders = []
    /// The record cache of the thread running the task; `nil` when caching is off.
    let cache: ThreadCache?
    /// What the read caches of the task's RocksDB key-value stores may hold, shared by the
    /// thread's tasks; `nil`: those stores are read directly.
    let readCacheBudget: ReadCacheBudget?
    /// The raw bytes of the current input record, for error handlers and dead-letter topics.
    @exclusivity(unchecked) var currentRawKey: UnsafeRawBufferPointer?
    @exclusivity(unchecked) var currentRawValue: UnsafeRawBufferPointer?
    /// The largest timestamp this task has processed.
    @exclusivity(unchecked) var streamTime: Int64 = TaskContext.unknownTime
    /// The node currently processing, for error reports.
    @exclusivity(unchecked) var currentNode: String?
    /// Under exactly-once: whether an input record is being processed (not a punctuation or a
    /// commit's cache flush), and how many repartition records it wrote so far. Repartition
    /// records written then name their source (``SourceHighWater``).
    @exclusivity(unchecked) var isProcessingInput = false
    @exclusivity(unchecked) var repartitionSequence: UInt32 = 0
    /// How deep the record cache is forwarding evicted or flushed entries: their output does
    /// not follow deterministically from the input record being processed.
    @exclusivity(unchecked) var cacheForwardingDepth = 0
    /// The task's input topic (broker name) when it reads just one: exactly-once headers then
    /// leave the topic out.
    var singleInputTopic: String?

    let punctuations = PunctuationSchedule()
    /// Typed store views by name, as processors get them.
    var stores: [String: any StateStore] = [:]
    /// Byte-level stores by name, under any logging wrapper: what queries read.
    var byteStores: [String: any KeyValueBytesStore & Sendable] = [:]
    /// Byte-level stores by name with their logging wrapper: what DSL processors write.
    var loggedStores: [String: any KeyValueBytesStore] = [:]

    /// A DSL processor's view of one of the task's stores.
    func timestampedStore<K, V>(_ name: String, key: Serde<K>, value: Serde<V>) throws -> TimestampedKeyValueStore<K, V> {
        guard let bytes = loggedStores[name] else {
            throw StreamsError.unknownStore(name: name, message: "is not open in task \(taskID)")
        }
        return TimestampedKeyValueStore(bytes: bytes, key: key, value: value)
    }
    /// Records dropped by handlers or lateness, for metrics.
    @exclusivity(unchecked) var droppedRecords = 0
    /// The instance's global stores (global tables), shared by all its tasks: read-only here.
    var globalStores: [String: any KeyValueBytesStore & Sendable] = [:]
    /// State that the nodes of one DSL operator share within the task (the two sides of a
    /// stream-stream join share their stream time), by the operator's name.
    var operatorState: [String: AnyObject] = [:]
    /// Records (per window) that windowed aggregations dropped for arriving after their window
    /// closed (window end + grace, by stream time), for metrics; also counted in `droppedRecords`.
    var droppedLateRecords = 0

    init(
        taskID: TaskID, applicationID: String, config: StreamsConfig, collector: any RecordCollector,
        logger: Logger, internalTopicNames: Set<String>, cache: ThreadCache? = nil,
        readCacheBudget: ReadCacheBudget? = nil, wallClock: @escaping () -> Int64
    ) {
        self.cache = cache
        self.readCacheBudget = readCacheBudget
        self.taskID = taskID
        self.applicationID = applicationID
        self.config = config
        self.collector = collector
        self.logger = logger
        self.internalTopicNames = internalTopicNames
        self.wallClock = wallClock
    }

    /// The name of a topic on the broker: internal topics get the application id as prefix.
    func brokerTopic(_ name: String) -> String {
        internalTopicNames.contains(name) ? "\(applicationID)-\(name)" : name
    }

    var errorContext: ErrorHandlerContext {
        ErrorHandlerContext(
            recordMetadata: recordMetadata, taskID: taskID.description, processorNode: currentNode,
            rawKey: currentRawKey.map(Array.init), rawValue: currentRawValue.map(Array.init),
            timestamp: currentRecordTimestamp)
    }

    /// Sends the current input record's original bytes to a dead-letter topic, with headers that
    /// say where it came from and why it failed (the header names of KIP-1034).
    func sendToDeadLetterTopic(_ topic: String, error: any Error) throws {
        var headers: RecordHeaders = []
        headers.add("__streams.errors.exception", Array(String(describing: type(of: error)).utf8))
        headers.add("__streams.errors.message", Array(String(describing: error).utf8))
        if let metadata = recordMetadata {
            headers.add("__streams.errors.topic", Array(metadata.topic.utf8))
            headers.add("__streams.errors.partition", Array(String(metadata.partition).utf8))
            headers.add("__streams.errors.offset", Array(String(metadata.offset).utf8))
        }
        try collector.send(
            topic: topic, partition: nil, key: currentRawKey, value: currentRawValue,
            timestamp: currentRecordTimestamp, headers: headers)
    }
}
