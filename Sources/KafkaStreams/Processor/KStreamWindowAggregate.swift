/// `count`, `reduce` and `aggregate` of a stream windowed by ``TimeWindows`` (tumbling or
/// hopping), Kafka Streams' `KStreamWindowAggregate`.
///
/// Each record updates every window it falls in whose end is after the window close time
/// (observed stream time minus grace); for windows already closed it is dropped (once per
/// window). A window's result timestamp is the largest timestamp of its records.
///
/// Not final: `count` has a subclass of its own, ``KStreamWindowCount``.
class KStreamWindowAggregate<K, V, VA>: TimeWindowAggregateNode<K, V, VA> {
    let windows: TimeWindows

    init(
        name: String, storeName: String, windows: TimeWindows, key: Serde<K>, aggregate: Serde<VA>,
        emitStrategy: EmitStrategy, task: TaskContext, update: @escaping @Sendable (K, V, VA?) throws -> VA
    ) {
        self.windows = windows
        super.init(
            name: name, storeName: storeName, key: key, aggregate: aggregate, emitStrategy: emitStrategy, task: task,
            update: update)
    }

    override func process(key: K, value: V, timestamp: Int64, headers: RecordHeaders) throws {
        try aggregateWindows(key: key, value: value, timestamp: timestamp, headers: headers, update)
    }

    /// Updates every window the record falls in with `update` and forwards the results. Inlined
    /// into each node's `process`, so that it runs with the aggregate's type as the node knows
    /// it: concrete in ``KStreamWindowCount``, where the old aggregate (a `VA?`) then costs no
    /// generic-metadata lookup per record.
    ///
    /// The record in parts, and the store through the updater: a `Record`, `ValueAndTimestamp` or
    /// `Serde` touched here would cost a generic-metadata lookup per record.
    @inline(__always)
    final func aggregateWindows(
        key: K, value: V, timestamp: Int64, headers: RecordHeaders, _ update: (K, V, VA?) throws -> VA
    ) throws {
        guard accept(key: key, value: value, timestamp: timestamp), let updater else { return }
        let windowCloseTime = observedStreamTime - windows.graceMs
        // Before the updates, so that the store has not yet expired what this record closes.
        if emitStrategy == .onWindowClose { try emitFinalResults(headers: headers, windowCloseTime: windowCloseTime) }
        var keyIsSet = false
        for windowStart in windows.windowStarts(for: timestamp) {
            let window = TimeWindow.starting(at: windowStart, size: windows.sizeMs)
            guard window.end > windowCloseTime else {
                dropLate(timestamp: timestamp, window: "[\(window.start),\(window.end))", closeTime: windowCloseTime)
                continue
            }
            if !keyIsSet {
                try updater.setKey(key)
                keyIsSet = true
            }
            updater.setWindow(start: windowStart)
            var oldTimestamp = timestamp
            let old = try updater.lookup(timestamp: &oldTimestamp)
            let new = try update(key, value, old)
            // The window's timestamp: the largest of its records'.
            let resultTimestamp = max(timestamp, oldTimestamp)
            try updater.put(new, timestamp: resultTimestamp)
            try forwardUpdate(key: key, window: window, new: new, old: old, timestamp: resultTimestamp, headers: headers)
        }
    }

    /// Emits the windows that closed since the last emission: those whose end is at most the
    /// window close time, that is whose start is at most `windowCloseTime - size`.
    @inline(never)
    private func emitFinalResults(headers: RecordHeaders, windowCloseTime: Int64) throws {
        guard lastEmitWindowCloseTime == TaskContext.unknownTime || lastEmitWindowCloseTime < windowCloseTime else {
            return
        }
        let upper = windowCloseTime - windows.sizeMs
        guard upper >= 0 else { return }
        let lower =
            lastEmitWindowCloseTime == TaskContext.unknownTime
            ? 0 : max(0, lastEmitWindowCloseTime - windows.sizeMs) + 1
        // No window starts in lower...upper when both bounds fall in the same set of windows.
        if lastEmitWindowCloseTime != TaskContext.unknownTime,
            Array(windows.windowStarts(for: upper)) == Array(windows.windowStarts(for: lower - 1))
        {
            return
        }
        try emitClosedWindows(headers: headers, lower: lower, upper: upper, windowCloseTime: windowCloseTime)
    }
}

/// `count` of a stream windowed by ``TimeWindows``: ``KStreamWindowAggregate`` with the
/// aggregate's type known (`Int64`), as ``KStreamCount`` is for unwindowed counts.
final class KStreamWindowCount<K, V>: KStreamWindowAggregate<K, V, Int64> {
    /// A window's count after one more record: the update of every windowed `count()`, this
    /// node's and the sliding-window aggregation's.
    @inline(__always)
    static func counting(_ key: K, _ value: V, _ count: Int64?) -> Int64 { (count ?? 0) + 1 }

    override func process(key: K, value: V, timestamp: Int64, headers: RecordHeaders) throws {
        try aggregateWindows(key: key, value: value, timestamp: timestamp, headers: headers, Self.counting)
    }
}
