/// `count`, `reduce` and `aggregate` of a stream windowed by ``TimeWindows`` (tumbling or
/// hopping), Kafka Streams' `KStreamWindowAggregate`.
///
/// Each record updates every window it falls in whose end is after the window close time
/// (observed stream time minus grace); for windows already closed it is dropped (once per
/// window). A window's result timestamp is the largest timestamp of its records.
final class KStreamWindowAggregate<K, V, VA>: TimeWindowAggregateNode<K, V, VA> {
    let windows: TimeWindows

    init(
        name: String, storeName: String, windows: TimeWindows, emitStrategy: EmitStrategy, task: TaskContext,
        update: @escaping @Sendable (K, V, VA?) throws -> VA
    ) {
        self.windows = windows
        super.init(name: name, storeName: storeName, emitStrategy: emitStrategy, task: task, update: update)
    }

    override func process(_ record: Record<K, V>) throws {
        guard accept(record), let store else { return }
        let windowCloseTime = observedStreamTime - windows.graceMs
        // Before the updates, so that the store has not yet expired what this record closes.
        if emitStrategy == .onWindowClose { try emitFinalResults(record, windowCloseTime: windowCloseTime) }
        for windowStart in windows.windowStarts(for: record.timestamp) {
            let window = TimeWindow.starting(at: windowStart, size: windows.sizeMs)
            guard window.end > windowCloseTime else {
                dropLate(record, window: "[\(window.start),\(window.end))", closeTime: windowCloseTime)
                continue
            }
            let old = try store.fetch(record.key, windowStart: windowStart)
            let new = try update(record.key, record.value, old?.value)
            let timestamp = old.map { max(record.timestamp, $0.timestamp) } ?? record.timestamp
            try put(record, windowStart: windowStart, window: window, new: new, old: old?.value, timestamp: timestamp)
        }
    }

    /// Emits the windows that closed since the last emission: those whose end is at most the
    /// window close time, that is whose start is at most `windowCloseTime - size`.
    private func emitFinalResults(_ record: Record<K, V>, windowCloseTime: Int64) throws {
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
        try emitClosedWindows(record, lower: lower, upper: upper, windowCloseTime: windowCloseTime)
    }
}
