import Logging

/// `count`, `reduce` and `aggregate` of a stream windowed by ``SessionWindows``, Kafka Streams'
/// `KStreamSessionWindowAggregate`.
///
/// A record at `t` finds the key's sessions that end at or after `t - gap` and start at or
/// before `t + gap`. Their aggregates are merged (with the merger) and their windows joined with
/// `[t, t]`; the old sessions are removed (forwarded as deletes) and the merged session, with the
/// record added, is stored and forwarded. If the merged session ends before the window close
/// time (observed stream time minus gap minus grace), the record is dropped instead. Results
/// carry the session end as timestamp.
final class KStreamSessionWindowAggregate<K, V, VA>: ForwardingNode<K, V, Windowed<K>, Change<VA>> {
    let storeName: String
    let windows: SessionWindows
    let emitStrategy: EmitStrategy
    /// Adds a value to an aggregate (`nil`: start from the initializer).
    let add: @Sendable (K, V, VA?) throws -> VA
    /// Merges a session's aggregate into the running one (`nil`: none yet).
    let merge: @Sendable (K, VA?, VA) throws -> VA
    private let keyIsNull: (@Sendable (K) -> Bool)?
    private let valueIsNull: (@Sendable (V) -> Bool)?
    private unowned let task: TaskContext
    private var store: SessionStore<K, VA>?
    /// Set when the store is cached and updates are emitted: results are forwarded when the
    /// cache flushes.
    private var forwardsOnFlush = false
    private var observedStreamTime = TaskContext.unknownTime
    /// The window close time of the last emission of closed sessions (in memory only).
    private var lastEmitWindowCloseTime = TaskContext.unknownTime

    init(
        name: String, storeName: String, windows: SessionWindows, emitStrategy: EmitStrategy, task: TaskContext,
        add: @escaping @Sendable (K, V, VA?) throws -> VA, merge: @escaping @Sendable (K, VA?, VA) throws -> VA
    ) {
        self.storeName = storeName
        self.windows = windows
        self.emitStrategy = emitStrategy
        self.add = add
        self.merge = merge
        self.keyIsNull = nullCheck(K.self)
        self.valueIsNull = nullCheck(V.self)
        self.task = task
        super.init(name: name)
    }

    override func initialize(_ task: TaskContext) throws {
        guard let store = task.stores[storeName] as? SessionStore<K, VA> else {
            throw StreamsError.unknownStore(name: storeName, message: "is not the session store of \(name)")
        }
        self.store = store
        if emitStrategy == .onWindowUpdate {
            forwardsOnFlush = store.forwardFlushedChanges { [unowned self] in try self.downstream.forward($0) }
        }
    }

    override func process(_ record: Record<K, V>) throws {
        if keyIsNull?(record.key) == true || valueIsNull?(record.value) == true {
            task.droppedRecords += 1
            task.logger.debug("skipping a record with a null key or value", metadata: ["node": "\(name)"])
            return
        }
        guard let store else { return }
        let timestamp = record.timestamp
        observedStreamTime = max(observedStreamTime, timestamp)
        let windowCloseTime = observedStreamTime - saturatingAdd(windows.graceMs, windows.gapMs)
        // Before the updates, so that the store has not yet expired what this record closes. The
        // record cannot merge with a session it closes: those end before its time minus the gap.
        if emitStrategy == .onWindowClose { try emitFinalResults(record, windowCloseTime: windowCloseTime) }

        let overlapping = try store.findSessions(
            record.key, earliestSessionEndTime: timestamp - windows.gapMs,
            latestSessionStartTime: saturatingAdd(timestamp, windows.gapMs))
        let own = TimeWindow(start: timestamp, end: timestamp)
        var merged = own
        var aggregate: VA?
        for session in overlapping {
            aggregate = try merge(record.key, aggregate, session.value)
            merged = TimeWindow(
                start: min(merged.start, session.key.window.start), end: max(merged.end, session.key.window.end))
        }

        if merged.end < windowCloseTime {
            dropLate(record, window: merged, closeTime: windowCloseTime)
        } else {
            var old: VA?
            if merged != own {
                for session in overlapping {
                    try store.remove(session.key)
                    try forwardUpdate(session.key, new: nil, old: session.value, headers: record.headers)
                }
            } else {
                // Only a session of exactly [t, t] overlaps: it is updated in place.
                old = overlapping.first?.value
            }
            let new = try add(record.key, record.value, aggregate)
            let session = Windowed(key: record.key, window: merged)
            try store.put(session, new)
            try forwardUpdate(session, new: new, old: old, headers: record.headers)
        }
    }

    private func forwardUpdate(_ session: Windowed<K>, new: VA?, old: VA?, headers: RecordHeaders) throws {
        guard emitStrategy == .onWindowUpdate, !forwardsOnFlush else { return }
        try downstream.forward(
            Record(
                key: session, value: Change(newValue: new, oldValue: old), timestamp: session.window.end,
                headers: headers))
    }

    private func dropLate(_ record: Record<K, V>, window: TimeWindow, closeTime: Int64) {
        task.droppedRecords += 1
        task.droppedLateRecords += 1
        var metadata: Logger.Metadata = [
            "node": "\(name)", "timestamp": "\(record.timestamp)", "window": "[\(window.start),\(window.end)]",
            "expiration": "\(closeTime)", "streamTime": "\(observedStreamTime)",
        ]
        if let origin = task.recordMetadata {
            metadata["topic"] = "\(origin.topic)"
            metadata["partition"] = "\(origin.partition)"
            metadata["offset"] = "\(origin.offset)"
        }
        task.logger.debug("skipping a record for an expired session window", metadata: metadata)
    }

    /// Emits the sessions that closed since the last emission: those that end before the window
    /// close time and at or after the previous one, earliest end first.
    private func emitFinalResults(_ record: Record<K, V>, windowCloseTime: Int64) throws {
        guard let store else { return }
        guard lastEmitWindowCloseTime == TaskContext.unknownTime || lastEmitWindowCloseTime < windowCloseTime else {
            return
        }
        let upper = windowCloseTime - 1
        guard upper >= 0 else { return }
        let lower = max(0, lastEmitWindowCloseTime)
        guard upper >= lower else { return }
        let closed = try store.findSessions(
            keyFrom: nil, keyTo: nil, earliestSessionEndTime: lower, latestSessionStartTime: upper
        ).enumerated().filter { $0.element.key.window.end <= upper }
        let ordered = closed.sorted { lhs, rhs in
            (lhs.element.key.window.end, lhs.offset) < (rhs.element.key.window.end, rhs.offset)
        }
        for (_, session) in ordered {
            try downstream.forward(
                Record(
                    key: session.key, value: Change(newValue: session.value, oldValue: nil),
                    timestamp: session.key.window.end, headers: record.headers))
        }
        lastEmitWindowCloseTime = windowCloseTime
    }
}
