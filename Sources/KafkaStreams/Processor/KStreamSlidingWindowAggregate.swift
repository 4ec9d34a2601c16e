/// `count`, `reduce` and `aggregate` of a stream windowed by ``SlidingWindows``, Kafka Streams'
/// `KStreamSlidingWindowAggregate`.
///
/// Windows `[start, start + d]` (both ends inclusive) exist only where records make them. A
/// record at `t` updates every existing window that contains it, creates its left window
/// `[t - d, t]` (aggregating the records already in that range, found in the window that ends
/// just before it) and, when a later record lies within `d`, its right window `[t + 1, t + 1 + d]`;
/// it also creates the right window of the previous record when it falls in it. Records with
/// `t < d` go to the window `[0, d]`. Windows whose end is before the window close time
/// (observed stream time minus grace) are not updated: such records are dropped.
final class KStreamSlidingWindowAggregate<K, V, VA>: TimeWindowAggregateNode<K, V, VA> {
    let windows: SlidingWindows
    private var timeDifference: Int64 { windows.timeDifferenceMs }

    init(
        name: String, storeName: String, windows: SlidingWindows, key: Serde<K>, aggregate: Serde<VA>,
        emitStrategy: EmitStrategy, task: TaskContext, update: @escaping @Sendable (K, V, VA?) throws -> VA
    ) {
        self.windows = windows
        super.init(
            name: name, storeName: storeName, key: key, aggregate: aggregate, emitStrategy: emitStrategy, task: task,
            update: update)
    }

    override func process(_ record: Record<K, V>) throws {
        guard accept(record) else { return }
        let windowCloseTime = observedStreamTime - windows.graceMs
        // Before the updates, so that the store has not yet expired what this record closes.
        if emitStrategy == .onWindowClose { try emitFinalResults(record, windowCloseTime: windowCloseTime) }
        let windowEnd = saturatingAdd(record.timestamp, timeDifference)
        if windowEnd < windowCloseTime {
            dropLate(record, window: "[\(record.timestamp),\(windowEnd)]", closeTime: windowCloseTime)
            return
        }
        if record.timestamp < timeDifference {
            try processEarly(record, windowCloseTime: windowCloseTime)
        } else {
            try processReverse(record, windowCloseTime: windowCloseTime)
        }
    }

    /// Walks the key's windows that can matter (starts in `t - 2d ... t + 1`), latest first.
    private func processReverse(_ record: Record<K, V>, windowCloseTime: Int64) throws {
        guard let store else { return }
        let timestamp = record.timestamp
        var windowStarts = Set<Int64>()
        var leftWindowAggregate: ValueAndTimestamp<VA>?
        var rightWindowAggregate: ValueAndTimestamp<VA>?
        var leftWindowExists = false
        var rightWindowExists = false
        var previousRecordTimestamp: Int64?

        let existing = try store.backwardFetch(
            keyFrom: record.key, keyTo: record.key,
            timeFrom: max(0, timestamp - saturatingAdd(timeDifference, timeDifference)), timeTo: saturatingAdd(timestamp, 1))
        scan: for entry in existing {
            let start = entry.key.window.start
            windowStarts.insert(start)
            let end = saturatingAdd(start, timeDifference)
            let maxRecordTimestamp = entry.value.timestamp
            if start == saturatingAdd(timestamp, 1) {
                rightWindowExists = true
            } else if end > timestamp {
                if rightWindowAggregate == nil { rightWindowAggregate = entry.value }
                try updateWindow(entry.key.window, base: entry.value, existed: true, record, windowCloseTime)
            } else if end == timestamp {
                leftWindowExists = true
                try updateWindow(entry.key.window, base: entry.value, existed: true, record, windowCloseTime)
                guard maxRecordTimestamp < timestamp else { return }
                previousRecordTimestamp = maxRecordTimestamp
            } else {
                leftWindowAggregate = entry.value
                previousRecordTimestamp = maxRecordTimestamp
                break scan
            }
        }
        try createWindows(
            record, windowCloseTime: windowCloseTime, windowStarts: windowStarts,
            rightWindowAggregate: rightWindowAggregate, leftWindowAggregate: leftWindowAggregate,
            leftWindowExists: leftWindowExists, rightWindowExists: rightWindowExists,
            previousRecordTimestamp: previousRecordTimestamp)
    }

    /// Records with `0 <= t < d` would make left windows that start before 0: they all go to
    /// the window `[0, d]` instead, and right windows are made as later records come.
    private func processEarly(_ record: Record<K, V>, windowCloseTime: Int64) throws {
        guard let store else { return }
        let timestamp = record.timestamp
        var combinedWindow: KeyValue<Windowed<K>, ValueAndTimestamp<VA>>?
        var rightWindowAggregate: ValueAndTimestamp<VA>?
        var rightWindowExists = false
        var windowStarts = Set<Int64>()
        var previousRecordTimestamp: Int64?

        for entry in try store.fetch(keyFrom: record.key, keyTo: record.key, timeFrom: 0, timeTo: timestamp + 1) {
            let start = entry.key.window.start
            windowStarts.insert(start)
            if start == 0 {
                combinedWindow = entry
                // A previous record at or after this one already made its right window.
                if entry.value.timestamp < timestamp { previousRecordTimestamp = entry.value.timestamp }
            } else if start <= timestamp {
                rightWindowAggregate = entry.value
                try updateWindow(entry.key.window, base: entry.value, existed: true, record, windowCloseTime)
            } else if start == timestamp + 1 {
                rightWindowExists = true
            } else {
                throw StreamsError.invalidState(
                    "\(name): unexpected window starting at \(start) for a record at \(timestamp) (sliding windows)")
            }
        }
        // The combined window holds only records after this one when no right window was found
        // and its latest record is later.
        if rightWindowAggregate == nil, let combinedWindow, combinedWindow.value.timestamp > timestamp {
            rightWindowAggregate = combinedWindow.value
        }
        if !rightWindowExists, let rightWindowAggregate, rightWindowAggregate.timestamp > timestamp {
            try createRightWindow(of: record, aggregate: rightWindowAggregate)
        }
        if let previousRecordTimestamp, !windowStarts.contains(previousRecordTimestamp + 1) {
            try createWindow(startingAt: previousRecordTimestamp + 1, record, windowCloseTime)
        }
        if let combinedWindow {
            try updateWindow(combinedWindow.key.window, base: combinedWindow.value, existed: true, record, windowCloseTime)
        } else {
            try updateWindow(
                TimeWindow(start: 0, end: timeDifference), base: nil, existed: false, record, windowCloseTime)
        }
    }

    private func createWindows(
        _ record: Record<K, V>, windowCloseTime: Int64, windowStarts: Set<Int64>,
        rightWindowAggregate: ValueAndTimestamp<VA>?, leftWindowAggregate: ValueAndTimestamp<VA>?,
        leftWindowExists: Bool, rightWindowExists: Bool, previousRecordTimestamp: Int64?
    ) throws {
        let timestamp = record.timestamp
        // The previous record's right window, if this record falls in it and it does not exist.
        if let previousRecordTimestamp {
            let start = previousRecordTimestamp + 1
            if !windowStarts.contains(start) && saturatingAdd(start, timeDifference) >= timestamp {
                try createWindow(startingAt: start, record, windowCloseTime)
            }
        }
        // This record's left window, with the records before it that are within the difference.
        if !leftWindowExists {
            var base: ValueAndTimestamp<VA>?
            if let previousRecordTimestamp, timestamp - timeDifference <= previousRecordTimestamp,
                let leftWindowAggregate
            {
                base = ValueAndTimestamp(value: leftWindowAggregate.value, timestamp: timestamp)
            }
            try updateWindow(
                TimeWindow(start: timestamp - timeDifference, end: timestamp), base: base, existed: false, record,
                windowCloseTime)
        }
        // This record's right window, if later records are within the difference.
        if !rightWindowExists, let rightWindowAggregate, rightWindowAggregate.timestamp > timestamp {
            try createRightWindow(of: record, aggregate: rightWindowAggregate)
        }
    }

    /// `[t + 1, t + 1 + d]` with the aggregate of the later records (not this one).
    private func createRightWindow(of record: Record<K, V>, aggregate: ValueAndTimestamp<VA>) throws {
        guard let store else { return }
        let start = saturatingAdd(record.timestamp, 1)
        let window = TimeWindow(start: start, end: saturatingAdd(start, timeDifference))
        try store.put(record.key, aggregate, windowStart: start)
        try forwardUpdate(record, window: window, new: aggregate.value, old: nil, timestamp: aggregate.timestamp)
    }

    /// A new window holding only this record.
    private func createWindow(startingAt start: Int64, _ record: Record<K, V>, _ windowCloseTime: Int64) throws {
        try updateWindow(
            TimeWindow(start: start, end: saturatingAdd(start, timeDifference)), base: nil, existed: false, record,
            windowCloseTime)
    }

    /// Adds the record to a window's aggregate (`base`, `nil` to start from the initializer) and
    /// stores and forwards it, unless the window has closed.
    private func updateWindow(
        _ window: TimeWindow, base: ValueAndTimestamp<VA>?, existed: Bool, _ record: Record<K, V>,
        _ windowCloseTime: Int64
    ) throws {
        guard window.end >= windowCloseTime else {
            dropLate(record, window: "[\(window.start),\(window.end)]", closeTime: windowCloseTime)
            return
        }
        let new = try update(record.key, record.value, base?.value)
        let timestamp = max(record.timestamp, base?.timestamp ?? record.timestamp)
        try put(
            record, windowStart: window.start, window: window, new: new, old: existed ? base?.value : nil,
            timestamp: timestamp)
    }

    /// Emits the windows that closed since the last emission: those whose (inclusive) end is
    /// before the window close time.
    private func emitFinalResults(_ record: Record<K, V>, windowCloseTime: Int64) throws {
        guard lastEmitWindowCloseTime == TaskContext.unknownTime || lastEmitWindowCloseTime < windowCloseTime else {
            return
        }
        let upper = windowCloseTime - timeDifference - 1
        guard upper >= 0 else { return }
        let lower =
            lastEmitWindowCloseTime == TaskContext.unknownTime ? 0 : max(0, lastEmitWindowCloseTime - timeDifference)
        try emitClosedWindows(record, lower: lower, upper: upper, windowCloseTime: windowCloseTime)
    }
}

/// `a + b`, or `Int64.max` when that overflows.
@inline(__always)
func saturatingAdd(_ a: Int64, _ b: Int64) -> Int64 {
    let (sum, overflow) = a.addingReportingOverflow(b)
    return overflow ? (b > 0 ? .max : .min) : sum
}
