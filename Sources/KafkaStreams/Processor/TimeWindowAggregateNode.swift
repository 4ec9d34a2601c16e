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
    private let keySerde: Serde<K>
    private let aggregateSerde: Serde<VA>
    private(set) var store: TimestampedWindowStore<K, VA>?
    /// The store's entries of one key, read and written without generic wrappers (the tumbling
    /// and hopping path of ``KStreamWindowAggregate``).
    private(set) var updater: TimestampedWindowUpdater<K, VA>?
    /// The only child when it is a `toStream()` (the common case): updates go straight to its
    /// children, without building a `Change` that it would only unwrap (generic-metadata lookups
    /// and a node hop per record). Owned by the task, like `task`.
    private(set) unowned(unsafe) var toStream: KTableToStream<Windowed<K>, VA>?
    /// Where the ``toStream`` path builds each update's `Windowed<K>` key, in place, from record
    /// to record (it keeps the last key until the next update or the node's end). Making a
    /// `Windowed<K>` per update in this unspecialized code looked up `Windowed<K>`'s generic
    /// metadata twice (its stack space here, its initializer), ~330 instructions each; the slot
    /// and its fields' offsets are looked up once.
    private let windowedSlot = WindowedSlot<K>()
    /// Set when the store is cached and updates are emitted: results are forwarded when the
    /// cache flushes.
    private var forwardsOnFlush = false
    /// The largest timestamp this node has seen; -1 before any.
    private(set) var observedStreamTime = TaskContext.unknownTime
    /// The window close time of the last emission of closed windows; -1 before any. Kept in
    /// memory only: after a restart, closed windows still in the store are emitted again.
    var lastEmitWindowCloseTime = TaskContext.unknownTime

    init(
        name: String, storeName: String, key: Serde<K>, aggregate: Serde<VA>, emitStrategy: EmitStrategy,
        task: TaskContext, update: @escaping @Sendable (K, V, VA?) throws -> VA
    ) {
        self.storeName = storeName
        self.keySerde = key
        self.aggregateSerde = aggregate
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
        updater = TimestampedWindowUpdater(store: store, key: keySerde, aggregate: aggregateSerde)
        if emitStrategy == .onWindowUpdate {
            forwardsOnFlush = store.forwardFlushedChanges { [unowned self] in try self.downstream.forward($0) }
        }
        // Children are wired before any node initializes.
        if downstream.children.count == 1 { toStream = downstream.children[0] as? KTableToStream<Windowed<K>, VA> }
    }

    /// Skips (logs and counts) a record with a null key or value, as Kafka Streams does, and
    /// otherwise advances the observed stream time. Returns whether to go on.
    final func accept(_ record: Record<K, V>) -> Bool {
        accept(key: record.key, value: record.value, timestamp: record.timestamp)
    }

    /// ``accept(_:)`` of a record given in parts.
    @inline(__always)
    final func accept(key: K, value: V, timestamp: Int64) -> Bool {
        if keyIsNull?(key) == true || valueIsNull?(value) == true {
            task.droppedRecords += 1
            task.logger.debug("skipping a record with a null key or value", metadata: ["node": "\(name)"])
            return false
        }
        observedStreamTime = max(observedStreamTime, timestamp)
        return true
    }

    /// Drops a record for a window that has closed: counted in dropped and late records, logged
    /// at debug level.
    final func dropLate(_ record: Record<K, V>, window: String, closeTime: Int64) {
        dropLate(timestamp: record.timestamp, window: window, closeTime: closeTime)
    }

    /// ``dropLate(_:window:closeTime:)`` of a record with this timestamp.
    @inline(never)
    final func dropLate(timestamp: Int64, window: String, closeTime: Int64) {
        task.droppedRecords += 1
        task.droppedLateRecords += 1
        var metadata: Logger.Metadata = [
            "node": "\(name)", "timestamp": "\(timestamp)", "window": "\(window)",
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
        try forwardUpdate(key: record.key, window: window, new: new, old: old, timestamp: timestamp, headers: record.headers)
    }

    /// ``forwardUpdate(_:window:new:old:timestamp:)`` of a record given in parts; through
    /// ``toStream`` when that is the only child.
    @inline(__always)
    final func forwardUpdate(
        key: K, window: TimeWindow, new: VA, old: VA?, timestamp: Int64, headers: RecordHeaders
    ) throws {
        guard emitStrategy == .onWindowUpdate, !forwardsOnFlush else { return }
        if let toStream {
            // The slot's value is lent `inout`: passed on from its pointer's `pointee`, it would
            // be copied. Nothing downstream of this node can reach it again while it is lent.
            try Self.forward(&windowedSlot.set(key: key, window: window).pointee, new, timestamp, headers, to: toStream)
            return
        }
        try forwardChange(key: key, window: window, new: new, old: old, timestamp: timestamp, headers: headers)
    }

    /// Hands a window's new aggregate to ``toStream``'s children under `key`, borrowed from
    /// ``windowedSlot``.
    @inline(__always)
    private static func forward(
        _ key: inout Windowed<K>, _ new: VA, _ timestamp: Int64, _ headers: RecordHeaders,
        to toStream: KTableToStream<Windowed<K>, VA>
    ) throws {
        try toStream.forwardNewValue(key: key, new, timestamp: timestamp, headers: headers)
    }

    /// Sends the change of one window's aggregate to the children. Not inlined: a `Change<VA>`
    /// in the callers' unspecialized code would cost metadata lookups on every record, also on
    /// the common path through ``toStream``, which does not build one.
    @inline(never)
    private func forwardChange(
        key: K, window: TimeWindow, new: VA, old: VA?, timestamp: Int64, headers: RecordHeaders
    ) throws {
        try downstream.forward(
            key: Windowed(key: key, window: window), value: Change(newValue: new, oldValue: old), timestamp: timestamp,
            headers: headers)
    }

    /// Forwards every window whose start lies in `lower...upper` (those that closed since the
    /// last emission), earliest window first, each with its aggregate's timestamp and the
    /// headers of the record that closed it; then remembers `windowCloseTime`.
    final func emitClosedWindows(_ record: Record<K, V>, lower: Int64, upper: Int64, windowCloseTime: Int64) throws {
        try emitClosedWindows(headers: record.headers, lower: lower, upper: upper, windowCloseTime: windowCloseTime)
    }

    /// ``emitClosedWindows(_:lower:upper:windowCloseTime:)`` with the closing record's headers.
    final func emitClosedWindows(headers: RecordHeaders, lower: Int64, upper: Int64, windowCloseTime: Int64) throws {
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
                    timestamp: entry.value.timestamp, headers: headers))
        }
        lastEmitWindowCloseTime = windowCloseTime
    }
}
