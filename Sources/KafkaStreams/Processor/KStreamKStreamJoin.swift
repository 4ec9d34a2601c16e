import Logging

// The processors of a stream-stream join (Kafka Streams' `KStreamJoinWindow` and
// `KStreamKStreamJoin`): each side puts its records into its own window store and looks up the
// other side's store. Left and outer joins keep records that found no partner in a shared
// "outer" store and emit them (joined with nothing) only once their join window has closed, so
// that a record matched later never also produces an unmatched result.

/// Puts each record of one side of a stream-stream join into that side's window store, after
/// passing it on to the join (Kafka's `KStreamJoinWindow`).
final class KStreamJoinWindowNode<K, V>: ForwardingNode<K, V, K, V> {
    let storeName: String
    private let keyIsNull: (@Sendable (K) -> Bool)?
    private let valueIsNull: (@Sendable (V) -> Bool)?
    private var store: WindowStore<K, V>?

    init(name: String, storeName: String) {
        self.storeName = storeName
        self.keyIsNull = nullCheck(K.self)
        self.valueIsNull = nullCheck(V.self)
        super.init(name: name)
    }

    override func initialize(_ task: TaskContext) throws {
        guard let store = task.stores[storeName] as? WindowStore<K, V> else {
            throw StreamsError.unknownStore(name: storeName, message: "is not a window store of \(K.self) and \(V.self)")
        }
        self.store = store
    }

    override func process(_ record: Record<K, V>) throws {
        try downstream.forward(record)
        // Records without key never join; a null value is not stored (nothing to join).
        if keyIsNull?(record.key) == true || valueIsNull?(record.value) == true { return }
        try store?.put(record.key, record.value, windowStart: record.timestamp)
    }
}

/// The stream time of one stream-stream join in one task, shared by its two sides (Kafka's
/// `TimeTracker`): the largest timestamp either side has seen, and a lower bound of the
/// timestamps of the records waiting in the outer store (`Int64.max` when there are none).
final class StreamJoinTimeTracker {
    var streamTime: Int64 = TaskContext.unknownTime
    var minTime: Int64 = .max

    func advanceStreamTime(_ timestamp: Int64) { streamTime = max(streamTime, timestamp) }
    func updateMinTime(_ timestamp: Int64) { minTime = min(minTime, timestamp) }

    /// The tracker of the join named `join` in `task`, made on first use.
    static func of(_ join: String, in task: TaskContext) -> StreamJoinTimeTracker {
        if let tracker = task.operatorState[join] as? StreamJoinTimeTracker { return tracker }
        let tracker = StreamJoinTimeTracker()
        task.operatorState[join] = tracker
        return tracker
    }
}

/// The time parameters of one side of a stream-stream join.
///
/// The left side looks up right records in `[t - before, t + after]`; the right side in
/// `[t - after, t + before]` (the same pairs, seen from the other side).
struct StreamJoinSideWindows: Sendable {
    /// How far back this side looks up the other side.
    let joinBeforeMs: Int64
    /// How far ahead this side looks up the other side.
    let joinAfterMs: Int64
    /// The join windows' own `before` and `after`, for the close time of stored records.
    let windowsBeforeMs: Int64
    let windowsAfterMs: Int64
    let graceMs: Int64

    static func left(_ windows: JoinWindows) -> Self {
        Self(
            joinBeforeMs: windows.beforeMs, joinAfterMs: windows.afterMs, windowsBeforeMs: windows.beforeMs,
            windowsAfterMs: windows.afterMs, graceMs: windows.graceMs)
    }

    static func right(_ windows: JoinWindows) -> Self {
        Self(
            joinBeforeMs: windows.afterMs, joinAfterMs: windows.beforeMs, windowsBeforeMs: windows.beforeMs,
            windowsAfterMs: windows.afterMs, graceMs: windows.graceMs)
    }
}

/// One side of a stream-stream join: joins each record with the other side's records of the
/// same key within the join window, and (for a left or outer side) keeps unmatched records
/// until their window closes.
///
/// Timestamp arithmetic wraps as Java's does, so that even extreme windows behave as in Kafka
/// Streams.
final class KStreamKStreamJoinNode<K, VThis, VOther, VOut>: ForwardingNode<K, VThis, K, VOut> {
    /// What the DSL decides for this side.
    struct Side: Sendable {
        /// The join's name (its merge node), which keys the shared time tracker.
        let joinName: String
        let isLeftSide: Bool
        /// Whether unmatched records of this side produce results (left side of a left join,
        /// both sides of an outer join).
        let outer: Bool
        let otherStoreName: String
        /// The shared outer store of left and outer joins.
        let outerStoreName: String?
        let windows: StreamJoinSideWindows
        let keySerde: Serde<K>
        /// A record of this side joined with one of the other side.
        let joinMatched: @Sendable (VThis, VOther) throws -> VOut
        /// A record of this side without partner.
        let joinUnmatched: @Sendable (VThis) throws -> VOut
        /// This side's value as stored in the outer store (`LeftOrRightValue` bytes).
        let encodeThis: @Sendable (VThis) throws -> [UInt8]
        /// A stored `LeftOrRightValue` of either side, joined with nothing.
        let joinStored: @Sendable (ArraySlice<UInt8>) throws -> VOut
    }

    let side: Side
    private let keyIsNull: (@Sendable (K) -> Bool)?
    private let valueIsNull: (@Sendable (VThis) -> Bool)?
    private var otherStore: WindowStore<K, VOther>?
    private var outerStore: OuterJoinStore?
    private var tracker = StreamJoinTimeTracker()
    private unowned var task: TaskContext?
    private var keyBuffer: [UInt8] = []

    init(name: String, side: Side) {
        self.side = side
        self.keyIsNull = nullCheck(K.self)
        self.valueIsNull = nullCheck(VThis.self)
        super.init(name: name)
    }

    override func initialize(_ task: TaskContext) throws {
        self.task = task
        guard let store = task.stores[side.otherStoreName] as? WindowStore<K, VOther> else {
            throw StreamsError.unknownStore(
                name: side.otherStoreName, message: "is not a window store of \(K.self) and \(VOther.self)")
        }
        otherStore = store
        if let outerName = side.outerStoreName {
            guard let bytes = task.loggedStores[outerName] else {
                throw StreamsError.unknownStore(name: outerName, message: "is not open in task \(task.taskID)")
            }
            outerStore = OuterJoinStore(bytes: bytes)
        }
        tracker = StreamJoinTimeTracker.of(side.joinName, in: task)
    }

    override func process(_ record: Record<K, VThis>) throws {
        let timestamp = record.timestamp
        tracker.advanceStreamTime(timestamp)
        let keyIsNull = keyIsNull?(record.key) ?? false
        let valueIsNull = valueIsNull?(record.value) ?? false
        if side.outer && keyIsNull && !valueIsNull {
            // A record without key can never match: its unmatched result is final at once.
            try downstream.forward(record.withValue(side.joinUnmatched(record.value)))
            return
        }
        if keyIsNull || valueIsNull {
            drop(record, keyIsNull ? "null key" : "null value")
            return
        }
        if timestamp == tracker.streamTime, let outerStore {
            try emitClosedUnmatched(outerStore, current: record)
        }
        let windows = side.windows
        let timeFrom = max(0, timestamp &- windows.joinBeforeMs)
        let timeTo = max(0, timestamp &+ windows.joinAfterMs)
        guard let otherStore else { return }
        let matches = try otherStore.fetch(record.key, timeFrom: timeFrom, timeTo: timeTo)
        if let outerStore, !matches.isEmpty {
            let keyBytes = try serializeKey(record.key)
            for match in matches {
                // The other side's record is matched now: it will never need an unmatched result.
                try outerStore.removeAll(
                    OuterJoinStore.key(timestamp: match.key, isLeftSide: !side.isLeftSide, key: keyBytes))
            }
        }
        for match in matches {
            try downstream.forward(
                Record(
                    key: record.key, value: try side.joinMatched(record.value, match.value),
                    timestamp: max(timestamp, match.key), headers: record.headers))
        }
        guard side.outer && matches.isEmpty else { return }
        // A record whose window has already closed (it is late) is emitted unmatched at once;
        // otherwise it waits in the outer store for a partner or for its window to close.
        if let outerStore, timeTo >= tracker.streamTime {
            tracker.updateMinTime(timestamp)
            try outerStore.append(
                OuterJoinStore.key(timestamp: timestamp, isLeftSide: side.isLeftSide, key: try serializeKey(record.key)),
                side.encodeThis(record.value))
        } else {
            try downstream.forward(record.withValue(side.joinUnmatched(record.value)))
        }
    }

    /// Emits, joined with nothing, the waiting records (of both sides) whose join window has
    /// closed, in timestamp order, and removes them from the outer store.
    ///
    /// Visits the store in Kafka Streams' order (`[timestamp][side][key]`) and stops where it
    /// does: once a record of each side whose window is still open has been seen. Reads go in
    /// growing time ranges, so that the common case reads only the records it emits and a few.
    private func emitClosedUnmatched(_ store: OuterJoinStore, current: Record<K, VThis>) throws {
        let windows = side.windows
        // Nothing can have closed yet.
        if tracker.minTime &+ windows.joinAfterMs &+ windows.graceMs >= tracker.streamTime { return }
        tracker.minTime = .max
        var leftOpen = false
        var rightOpen = false
        let streamTime = tracker.streamTime
        // Records up to `closable` may have closed; later ones are open for both sides.
        let shortestLookBack = min(windows.windowsBeforeMs, windows.windowsAfterMs)
        var from: Int64 = 0
        var to: Int64? = max(0, JoinWindows.saturatingAdd(streamTime, -JoinWindows.saturatingAdd(shortestLookBack, windows.graceMs)))
        var span: Int64 = 16
        while true {
            for entry in try store.entries(fromTime: from, toTime: to) {
                tracker.minTime = entry.timestamp
                if leftOpen && rightOpen { return }
                let lookBack = entry.isLeftSide ? windows.windowsAfterMs : windows.windowsBeforeMs
                if entry.timestamp &+ lookBack &+ windows.graceMs >= streamTime {
                    if entry.isLeftSide { leftOpen = true } else { rightOpen = true }
                    continue
                }
                let key = try entry.key.withUnsafeBytes { try side.keySerde.deserialize($0) }
                for value in entry.values {
                    try downstream.forward(
                        Record(
                            key: key, value: try side.joinStored(value), timestamp: entry.timestamp,
                            headers: current.headers))
                }
                try store.removeAll(entry.storeKey)
            }
            guard let last = to, last < Int64.max else { return }
            from = last + 1
            let (next, overflow) = from.addingReportingOverflow(span)
            to = overflow || next >= streamTime ? nil : next
            span = span > Int64.max / 2 ? span : span * 2
        }
    }

    private func drop(_ record: Record<K, VThis>, _ reason: String) {
        guard let task else { return }
        task.droppedRecords += 1
        var metadata: Logger.Metadata = ["node": "\(name)", "reason": "\(reason)"]
        if let position = task.recordMetadata {
            metadata["topic"] = "\(position.topic)"
            metadata["partition"] = "\(position.partition)"
            metadata["offset"] = "\(position.offset)"
        }
        task.logger.warning("skipping a join record with a null key or value", metadata: metadata)
    }

    private func serializeKey(_ key: K) throws -> [UInt8] {
        guard try side.keySerde.serialize(key, into: &keyBuffer) else {
            throw StreamsError.nullKey(store: side.outerStoreName ?? side.otherStoreName)
        }
        return keyBuffer
    }
}
