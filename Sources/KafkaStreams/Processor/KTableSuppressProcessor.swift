/// `KTable.suppress`: buffers a table's updates per key and forwards each key's latest update
/// when its buffer time is old enough, Kafka Streams' `KTableSuppressProcessor`.
///
/// The processor's stream time is the largest timestamp of the updates it has received. After
/// each update, every buffered key whose buffer time is at most `stream time - suppressDuration`
/// leaves the buffer, earliest first (buffer time: the window end for final results, the first
/// update's timestamp for time limits). Then a buffer over its bounds emits its oldest early or
/// fails, as its config says. Emitted records carry the timestamp and headers of the key's latest
/// update; deletes are dropped when `dropsDeletes` (final results: a merged-away session).
final class KTableSuppressProcessor<K, V>: ForwardingNode<K, Change<V>, K, Change<V>> {
    let storeName: String
    let keySerde: Serde<K>
    let valueSerde: Serde<V>
    /// The buffer time of an update.
    let bufferTime: @Sendable (Record<K, Change<V>>) -> Int64
    /// How long past the buffer time (by stream time) updates wait.
    let suppressDuration: Int64
    let bufferConfig: BufferConfig
    let dropsDeletes: Bool
    private unowned let task: TaskContext
    private var buffer: TimeOrderedKeyValueBuffer?
    private var observedStreamTime = TaskContext.unknownTime
    private var keyBuffer: [UInt8] = []

    init(
        name: String, storeName: String, key: Serde<K>, value: Serde<V>, suppressDuration: Int64,
        bufferConfig: BufferConfig, dropsDeletes: Bool, task: TaskContext,
        bufferTime: @escaping @Sendable (Record<K, Change<V>>) -> Int64
    ) {
        self.storeName = storeName
        self.keySerde = key
        self.valueSerde = value
        self.suppressDuration = suppressDuration
        self.bufferConfig = bufferConfig
        self.dropsDeletes = dropsDeletes
        self.bufferTime = bufferTime
        self.task = task
        super.init(name: name)
    }

    override func initialize(_ task: TaskContext) throws {
        guard let buffer = task.stores[storeName] as? TimeOrderedKeyValueBuffer else {
            throw StreamsError.unknownStore(name: storeName, message: "is not the suppression buffer of \(name)")
        }
        self.buffer = buffer
    }

    override func process(_ record: Record<K, Change<V>>) throws {
        guard let buffer else { return }
        observedStreamTime = max(observedStreamTime, record.timestamp)
        guard try keySerde.serialize(record.key, into: &keyBuffer) else { throw StreamsError.nullKey(store: storeName) }
        try buffer.put(
            time: bufferTime(record), key: keyBuffer,
            newValue: try record.value.newValue.flatMap { try valueSerde.serialize($0) },
            oldValue: try record.value.oldValue.flatMap { try valueSerde.serialize($0) },
            timestamp: record.timestamp, headers: record.headers)
        try enforceConstraints(buffer)
    }

    private func enforceConstraints(_ buffer: TimeOrderedKeyValueBuffer) throws {
        let expiryTime = observedStreamTime - suppressDuration
        while let time = try buffer.minTime(), time <= expiryTime {
            try emitOldest(buffer)
        }
        guard isOverCapacity(buffer) else { return }
        switch bufferConfig.fullStrategy {
        case .emitEarly:
            while isOverCapacity(buffer) { try emitOldest(buffer) }
        case .shutDown:
            let records = bufferConfig.maxRecords.map(String.init) ?? "unbounded"
            let bytes = bufferConfig.maxBytes.map(String.init) ?? "unbounded"
            throw StreamsError.processing(
                node: name, taskID: task.taskID.description,
                message: "the suppression buffer exceeded its capacity: \(buffer.count)/\(records) records and "
                    + "\(buffer.byteSize)/\(bytes) bytes (BufferConfig.shutDownWhenFull)")
        }
    }

    private func isOverCapacity(_ buffer: TimeOrderedKeyValueBuffer) -> Bool {
        if let maxRecords = bufferConfig.maxRecords, buffer.count > maxRecords { return true }
        if let maxBytes = bufferConfig.maxBytes, buffer.byteSize > maxBytes { return true }
        return false
    }

    private func emitOldest(_ buffer: TimeOrderedKeyValueBuffer) throws {
        guard let eviction = try buffer.evictOldest() else { return }
        if eviction.newValue == nil && dropsDeletes { return }
        let key = try keySerde.deserialize(eviction.key)
        let change = Change(
            newValue: try eviction.newValue.map { try valueSerde.deserialize($0) },
            oldValue: try eviction.oldValue.map { try valueSerde.deserialize($0) })
        let saved = (task.currentRecordTimestamp, task.currentHeaders)
        task.currentRecordTimestamp = eviction.timestamp
        task.currentHeaders = eviction.headers
        defer { (task.currentRecordTimestamp, task.currentHeaders) = saved }
        try downstream.forward(Record(key: key, value: change, timestamp: eviction.timestamp, headers: eviction.headers))
    }
}
