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
    /// Set for built-in serdes, whose values are read here without a closure call
    /// (``BuiltInSerde/read(_:into:)``).
    private let keyBuiltIn: BuiltInSerde?
    private let valueBuiltIn: BuiltInSerde?
    /// Where the record being processed has its key and value while it is forwarded.
    ///
    /// Downstream nodes borrow them from here. Of a built-in serde, a slot keeps its value from
    /// record to record and is overwritten in place: no copy of a value into the generic
    /// `Key`/`Value` (a call of its value witness and a retain), no destruction after the
    /// forward, and arrays reuse their storage. Of another serde, it holds the value only while
    /// the record is processed. One value of each stays alive between records (that of the
    /// last record), never more.
    private let keySlot: UnsafeMutablePointer<Key>
    private let valueSlot: UnsafeMutablePointer<Value>
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
        self.keySlot = Self.allocateSlot(builtIn: key.builtIn)
        self.valueSlot = Self.allocateSlot(builtIn: value.builtIn)
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

    deinit {
        Self.deallocateSlot(keySlot, builtIn: keyBuiltIn)
        Self.deallocateSlot(valueSlot, builtIn: valueBuiltIn)
    }

    /// A built-in serde's slot holds its empty value; another's is filled per record.
    private static func allocateSlot<T>(builtIn: BuiltInSerde?) -> UnsafeMutablePointer<T> {
        guard let builtIn else { return UnsafeMutablePointer<T>.allocate(capacity: 1) }
        return builtIn.allocateSlot().assumingMemoryBound(to: T.self)
    }

    private static func deallocateSlot<T>(_ slot: UnsafeMutablePointer<T>, builtIn: BuiltInSerde?) {
        guard let builtIn else { return slot.deallocate() }
        builtIn.deallocateSlot(UnsafeMutableRawPointer(slot))
    }

    override func connect(child: ProcessorNodeBase) throws {
        try downstream.connect(child, parent: name)
    }

    override var childNames: [String] { downstream.children.map(\.name) }

    override func process(_ raw: RawRecord) throws {
        do {
            try Self.read(raw.key, into: keySlot, builtIn: keyBuiltIn, deserializeKey)
        } catch let error as SerdeError {
            try handleDeserializationError(error, raw)
            return
        }
        // A slot of another serde holds its value for this record only.
        defer { if keyBuiltIn == nil { keySlot.deinitialize(count: 1) } }
        do {
            try Self.read(raw.value, into: valueSlot, builtIn: valueBuiltIn, deserializeValue)
        } catch let error as SerdeError {
            try handleDeserializationError(error, raw)
            return
        }
        defer { if valueBuiltIn == nil { valueSlot.deinitialize(count: 1) } }
        // The slots' values are lent `inout`: passed on from a pointer's `pointee` directly, each
        // would be copied (a value witness call and a retain) and destroyed after the call.
        try process(&keySlot.pointee, &valueSlot.pointee, raw)
    }

    @inline(__always)
    private func process(_ key: inout Key, _ value: inout Value, _ raw: RawRecord) throws {
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

    /// Puts the value of `bytes` in `slot`: a built-in serde's read in place
    /// (``BuiltInSerde/read(_:into:)``), else what `deserialize` returns, in the empty slot.
    @inline(__always)
    private static func read<T>(
        _ bytes: UnsafeRawBufferPointer?, into slot: UnsafeMutablePointer<T>, builtIn: BuiltInSerde?,
        _ deserialize: (UnsafeRawBufferPointer?) throws -> T
    ) throws {
        if let builtIn { return try builtIn.read(bytes, into: UnsafeMutableRawPointer(slot)) }
        try initialize(slot, deserializing: bytes, with: deserialize)
    }

    /// What `deserialize` returns, in the empty slot. Out of line: the temporary of the generic
    /// result would make every record's ``process(_:)`` reserve stack space for a `Key` and a
    /// `Value` (two metadata lookups), built-in serdes' too.
    @inline(never)
    private static func initialize<T>(
        _ slot: UnsafeMutablePointer<T>, deserializing bytes: UnsafeRawBufferPointer?,
        with deserialize: (UnsafeRawBufferPointer?) throws -> T
    ) throws {
        slot.initialize(to: try deserialize(bytes))
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
