/// How a source finds timestamps: the record's own, the task's wall clock, or an extractor. Not
/// nested in the generic ``SourceNode``, where it would be generic too and cost a metadata lookup
/// per record.
private enum SourceTimestamps {
    case record
    case wallClock
    case extractor(any TimestampExtractor)
}

/// The untyped face of a source: takes raw records of its topics.
class SourceNodeBase: ProcessorNodeBase {
    func process(_ raw: RawRecord) throws {}
}

/// Reads records of one or more topics, deserializes them, gives them their timestamp, and
/// forwards them.
///
/// A key or value that cannot be deserialized goes to the deserialization handler: skipped,
/// sent to a dead-letter topic, or failed, as the handler says. Never dropped silently.
///
/// The timestamp comes from the source's ``TimestampExtractor`` (its `Consumed`'s, else the
/// config's default); a negative one goes to ``StreamsConfig/invalidTimestampHandler``. Valid
/// timestamps advance the task's stream time. The default extractor costs nothing per record.
final class SourceNode<Key, Value>: SourceNodeBase {
    private let downstream = Forwarder<Key, Value>()
    // The serdes' functions rather than the serdes: reading a `Serde<Key>` field costs a generic
    // metadata lookup per record in this unspecialized code.
    private let deserializeKey: (UnsafeRawBufferPointer?) throws -> Key
    private let deserializeValue: (UnsafeRawBufferPointer?) throws -> Value
    /// Set for built-in serdes, whose values are built here without a closure call
    /// (``BuiltInSerde/deserialize(_:reusing:)``); arrays reuse these between records.
    private let keyBuiltIn: BuiltInSerde?
    private let valueBuiltIn: BuiltInSerde?
    private let reusedKeyBytes = ReusedBytes()
    private let reusedValueBytes = ReusedBytes()
    /// Unowned(unsafe): the task owns its nodes, and a checked reference costs an atomic per use.
    private unowned(unsafe) let task: TaskContext
    /// How timestamps are found: the record's own, the task's wall clock, or an extractor.
    private let timestamps: SourceTimestamps
    /// Whether ``timestamps`` is `.record` (the default): tested per record without copying the
    /// enum, whose extractor payload would be retained and released.
    private let usesRecordTimestamps: Bool
    /// The largest timestamp given to a record of each topic (this task reads one partition of
    /// each): the partition time. Tracked only when an extractor or the handler needs it.
    private var partitionTimes: [String: Int64] = [:]
    private let tracksPartitionTime: Bool

    init(
        name: String, key: Serde<Key>, value: Serde<Value>, task: TaskContext,
        timestampExtractor: (any TimestampExtractor)? = nil
    ) {
        self.deserializeKey = key.deserializeFrom
        self.deserializeValue = value.deserializeFrom
        self.keyBuiltIn = key.builtIn
        self.valueBuiltIn = value.builtIn
        self.task = task
        let extractor = timestampExtractor ?? task.config.defaultTimestampExtractor
        if extractor is RecordTimestampExtractor {
            timestamps = .record
        } else if extractor is WallclockTimestampExtractor {
            timestamps = .wallClock
        } else {
            timestamps = .extractor(extractor)
        }
        if case .record = timestamps { usesRecordTimestamps = true } else { usesRecordTimestamps = false }
        if case .extractor = timestamps {
            tracksPartitionTime = true
        } else {
            tracksPartitionTime = task.config.invalidTimestampHandler == .usePartitionTime
        }
        super.init(name: name)
    }

    static func definition(
        name: String, topics: [String], key: Serde<Key>, value: Serde<Value>,
        timestampExtractor: (any TimestampExtractor)? = nil
    ) -> NodeDefinition {
        NodeDefinition(
            name: name, kind: .source(topics: topics), parents: [], stores: [], inputType: nil,
            outputType: RecordType(Record<Key, Value>.self),
            make: { task in
                SourceNode(name: name, key: key, value: value, task: task, timestampExtractor: timestampExtractor)
            })
    }

    override func connect(child: ProcessorNodeBase) throws {
        try downstream.connect(child, parent: name)
    }

    override var childNames: [String] { downstream.children.map(\.name) }

    override func process(_ raw: RawRecord) throws {
        let key: Key
        let value: Value
        do {
            key = try Self.deserialize(raw.key, builtIn: keyBuiltIn, reusing: reusedKeyBytes, deserializeKey)
            value = try Self.deserialize(raw.value, builtIn: valueBuiltIn, reusing: reusedValueBytes, deserializeValue)
        } catch let error as SerdeError {
            try handleDeserializationError(error, raw)
            return
        }
        guard let timestamp = try timestamp(of: key, value, raw) else { return }
        task.currentRecordTimestamp = timestamp
        if timestamp > task.streamTime { task.streamTime = timestamp }
        // NodeFailure.unwrapping, written out: passing the unowned(unsafe) `task` to it retained
        // and released the task for every record.
        do {
            try downstream.forward(key: key, value: value, timestamp: timestamp, headers: raw.headers)
        } catch let failure as NodeFailure {
            task.currentNode = failure.node
            throw failure.underlying
        }
    }

    /// A built-in serde's value of `bytes` (``BuiltInSerde``), else what `deserialize` reads.
    @inline(__always)
    private static func deserialize<T>(
        _ bytes: UnsafeRawBufferPointer?, builtIn: BuiltInSerde?, reusing reused: ReusedBytes,
        _ deserialize: (UnsafeRawBufferPointer?) throws -> T
    ) throws -> T {
        if let builtIn { return try builtIn.deserialize(bytes, reusing: reused) }
        return try deserialize(bytes)
    }

    /// The record's timestamp, or `nil` when it is invalid and skipped.
    @inline(__always)
    private func timestamp(of key: Key, _ value: Value, _ raw: RawRecord) throws -> Int64? {
        let partitionTime = tracksPartitionTime ? partitionTimes[raw.topic] ?? TaskContext.unknownTime : TaskContext.unknownTime
        var timestamp: Int64
        if usesRecordTimestamps {
            timestamp = raw.timestamp
        } else {
            timestamp = try otherTimestamp(of: key, value, raw, partitionTime: partitionTime)
        }
        if timestamp < 0 {
            switch task.config.invalidTimestampHandler {
            case .logAndSkip:
                task.droppedRecords += 1
                task.logger.warning(
                    "skipping a record with an invalid (negative) timestamp",
                    metadata: ["topic": "\(raw.topic)", "partition": "\(raw.partition)", "offset": "\(raw.offset)",
                               "timestamp": "\(timestamp)"])
                return nil
            case .logAndFail:
                throw invalidTimestamp(timestamp, raw)
            case .usePartitionTime:
                guard partitionTime >= 0 else { throw invalidTimestamp(timestamp, raw) }
                task.logger.debug(
                    "using the partition time for a record with an invalid (negative) timestamp",
                    metadata: ["topic": "\(raw.topic)", "partition": "\(raw.partition)", "offset": "\(raw.offset)",
                               "timestamp": "\(timestamp)", "partitionTime": "\(partitionTime)"])
                timestamp = partitionTime
            }
        }
        if tracksPartitionTime && timestamp > partitionTime { partitionTimes[raw.topic] = timestamp }
        return timestamp
    }

    /// The timestamp of the wall clock or the extractor (``timestamps`` other than `.record`).
    @inline(never)
    private func otherTimestamp(of key: Key, _ value: Value, _ raw: RawRecord, partitionTime: Int64) throws -> Int64 {
        switch timestamps {
        case .record:
            return raw.timestamp
        case .wallClock:
            return task.wallClock()
        case .extractor(let extractor):
            do {
                return try extract(with: extractor, key, value, raw, partitionTime: partitionTime)
            } catch {
                task.currentNode = name
                throw error
            }
        }
    }

    /// Runs an extractor on the record. Not inlined: the `Record` it builds would make every
    /// record's ``process(_:)`` look up `Record<Key, Value>`'s metadata to reserve stack space.
    @inline(never)
    private func extract(
        with extractor: any TimestampExtractor, _ key: Key, _ value: Value, _ raw: RawRecord, partitionTime: Int64
    ) throws -> Int64 {
        let record = Record(key: key, value: value, timestamp: raw.timestamp, headers: raw.headers)
        return try extractor.extract(record, partitionTime: partitionTime)
    }

    private func invalidTimestamp(_ timestamp: Int64, _ raw: RawRecord) -> StreamsError {
        task.logger.error(
            "a record has an invalid (negative) timestamp, failing (invalid timestamp handler)",
            metadata: ["topic": "\(raw.topic)", "partition": "\(raw.partition)", "offset": "\(raw.offset)",
                       "timestamp": "\(timestamp)"])
        return StreamsError.invalidTimestamp(
            topic: raw.topic, partition: raw.partition, offset: raw.offset, timestamp: timestamp)
    }

    private func handleDeserializationError(_ error: SerdeError, _ raw: RawRecord) throws {
        let response = task.config.defaultDeserializationExceptionHandler.decide(task.errorContext, error)
        switch response {
        case .fail:
            task.logger.error(
                "cannot deserialize record, failing (deserialization handler)",
                metadata: ["topic": "\(raw.topic)", "partition": "\(raw.partition)", "offset": "\(raw.offset)",
                           "error": "\(error)"])
            throw StreamsError.deserialization(
                topic: raw.topic, partition: raw.partition, offset: raw.offset, underlying: error)
        case .continue:
            task.droppedRecords += 1
            task.logger.warning(
                "skipping a record that cannot be deserialized",
                metadata: ["topic": "\(raw.topic)", "partition": "\(raw.partition)", "offset": "\(raw.offset)",
                           "error": "\(error)"])
        case .deadLetter(let topic):
            task.droppedRecords += 1
            try task.sendToDeadLetterTopic(topic, error: error)
            task.logger.warning(
                "sent a record that cannot be deserialized to the dead-letter topic \(topic)",
                metadata: ["topic": "\(raw.topic)", "partition": "\(raw.partition)", "offset": "\(raw.offset)"])
        }
    }
}
