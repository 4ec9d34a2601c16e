import Logging

/// What the time-window and sliding-window aggregations share: the timestamped window store,
/// null and lateness checks, and forwarding by emit strategy.
///
/// Each node tracks its own observed stream time (the largest timestamp it has seen), as Kafka
/// Streams' window processors do; a window closes when that time passes its end plus the grace
/// period. With ``EmitStrategy/onWindowUpdate`` every update is forwarded (or, behind the record
/// cache, every flushed update); with ``EmitStrategy/onWindowClose`` nothing is forwarded until a
/// record closes windows, and then each closed window is forwarded once, read from the store.
class TimeWindowAggregateNode<K, V, VA>: ForwardingNode<K, V, Windowed<K>, Change<VA>> {
    let storeName: String
    /// Returns the new aggregate from the key, the value and the old aggregate (`nil` if none).
    let update: @Sendable (K, V, VA?) throws -> VA
    let emitStrategy: EmitStrategy
    private let keyIsNull: (@Sendable (K) -> Bool)?
    private let valueIsNull: (@Sendable (V) -> Bool)?
    unowned let task: TaskContext
    private(set) var store: TimestampedWindowStore<K, VA>?
    /// Set when the store is cached and updates are emitted: results are forwarded when the
    /// cache flushes.
    private var forwardsOnFlush = false
    /// The largest timestamp this node has seen; -1 before any.
    private(set) var observedStreamTime = TaskContext.unknownTime
    /// The window close time of the last emission of closed windows; -1 before any. Kept in
    /// memory only: after a restart, closed windows still in the store are emitted again.
    var lastEmitWindowCloseTime = TaskContext.unknownTime

    init(
        name: String, storeName: String, emitStrategy: EmitStrategy, task: TaskContext,
        update: @escaping @Sendable (K, V, VA?) throws -> VA
    ) {
        self.storeName = storeName
        self.update = update
        self.emitStrategy = emitStrategy
        self.keyIsNull = nullCheck(K.self)
        self.valueIsNull = nullCheck(V.self)
        self.task = task
        super.init(name: name)
    }

    override func initialize(_ task: TaskContext) throws {
        guard let store = task.stores[storeName] as? TimestampedWindowStore<K, VA> else {
            throw StreamsError.unknownStore(name: storeName, message: "is not the window store of \(name)")
        }
        self.store = store
        if emitStrategy == .onWindowUpdate {
            forwardsOnFlush = store.forwardFlushedChanges { [unowned self] in try self.downstream.forward($0) }
        }
    }

    /// Skips (logs and counts) a record with a null key or value, as Kafka Streams does, and
    /// otherwise advances the observed stream time. Returns whether to go on.
    final func accept(_ record: Record<K, V>) -> Bool {
        if keyIsNull?(record.key) == true || valueIsNull?(record.value) == true {
            task.droppedRecords += 1
            task.logger.debug("skipping a record with a null key or value", metadata: ["node": "\(name)"])
            return false
        }
        observedStreamTime = max(observedStreamTime, record.timestamp)
        return true
    }

    /// Drops a record for a window that has closed: counted in dropped and late records, logged
    /// at debug level.
    final func dropLate(_ record: Record<K, V>, window: String, closeTime: Int64) {
        task.droppedRecords += 1
        task.droppedLateRecords += 1
        var metadata: Logger.Metadata = [
            "node": "\(name)", "timestamp": "\(record.timestamp)", "window": "\(window)",
            "expiration": "\(closeTime)", "streamTime": "\(observedStreamTime)",
        ]
        if let origin = task.recordMetadata {
            metadata["topic"] = "\(origin.topic)"
            metadata["partition"] = "\(origin.partition)"
            metadata["offset"] = "\(origin.offset)"
        }
        task.logger.debug("skipping a record for an expired window", metadata: metadata)
    }

    /// Stores a window's new aggregate and, when emitting updates, forwards the change.
    final func put(
        _ record: Record<K, V>, windowStart: Int64, window: TimeWindow, new: VA, old: VA?, timestamp: Int64
    ) throws {
        guard let store else { return }
        try store.put(record.key, ValueAndTimestamp(value: new, timestamp: timestamp), windowStart: windowStart)
        try forwardUpdate(record, window: window, new: new, old: old, timestamp: timestamp)
    }

    /// Forwards an update of a window when emitting updates (and not behind the cache).
    final func forwardUpdate(_ record: Record<K, V>, window: TimeWindow, new: VA, old: VA?, timestamp: Int64) throws {
        guard emitStrategy == .onWindowUpdate, !forwardsOnFlush else { return }
        try downstream.forward(
            Record(
                key: Windowed(key: record.key, window: window), value: Change(newValue: new, oldValue: old),
                timestamp: timestamp, headers: record.headers))
    }

    /// Forwards every window whose start lies in `lower...upper` (those that closed since the
    /// last emission), earliest window first, each with its aggregate's timestamp and the
    /// headers of the record that closed it; then remembers `windowCloseTime`.
    final func emitClosedWindows(_ record: Record<K, V>, lower: Int64, upper: Int64, windowCloseTime: Int64) throws {
        guard let store else { return }
        let closed = try store.fetchAll(timeFrom: lower, timeTo: upper)
        // Time order across keys (the store returns key order): stable, so keys stay in byte
        // order within a window start.
        let ordered = closed.enumerated().sorted { lhs, rhs in
            (lhs.element.key.window.start, lhs.offset) < (rhs.element.key.window.start, rhs.offset)
        }
        for (_, entry) in ordered {
            try downstream.forward(
                Record(
                    key: entry.key, value: Change(newValue: entry.value.value, oldValue: nil),
                    timestamp: entry.value.timestamp, headers: record.headers))
        }
        lastEmitWindowCloseTime = windowCloseTime
    }
}
