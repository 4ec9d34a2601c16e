import Foundation
import RocksDB
import Synchronization

/// The byte store under window and session stores: keys split into time segments that expire
/// whole, as Kafka Streams' `RocksDBSegmentedBytesStore`.
///
/// A key's segment is `segmentTimestamp / segmentInterval` (the timestamp is the window start for
/// window stores, the session end for session stores). The store tracks the largest segment
/// timestamp written (its observed stream time); keys older than `retentionPeriod` behind it are
/// invisible to reads, writes of such keys are dropped, and every segment that holds only
/// such keys is dropped whole: an in-memory segment's B-tree is released; on RocksDB, where the
/// segments are key ranges of one database per store (``RocksDBSegment``,
/// `<directory>/segments`), the segment's key range goes in one range deletion. Stores written
/// before that layout (one database per segment, `<directory>/<name>.<segment start>`, Kafka's
/// segment naming) are still read: their segments are opened as they were, and closed and
/// destroyed on expiry.
///
/// Conforms to ``KeyValueBytesStore`` so that the changelog wrapper, restoration and the store
/// registry treat it like any store; the typed ``WindowStore`` and ``SessionStore`` read it
/// through ``fetch(keyFrom:keyTo:timeFrom:timeTo:)``, which searches only the segments the query
/// can hit. One lock guards the segment map and every access, so interactive queries from other
/// threads never see a segment being dropped.
final class SegmentedBytesStore<Schema: SegmentedKeySchema>: RetentionBoundedBytesStore, Sendable {
    /// Where segments live.
    enum Backend: Sendable {
        case inMemory
        /// One RocksDB database under `directory` for every segment (``RocksDBSegment``).
        case rocksDB(directory: String, options: RocksDBOptions)
    }

    let name: String
    /// How long keys stay readable behind the observed stream time, in milliseconds.
    let retentionPeriod: Int64
    /// The time span of one segment, in milliseconds.
    let segmentInterval: Int64
    let backend: Backend
    private let state: Mutex<State>
    private typealias State = SegmentedBytesStoreState
    /// The database of the RocksDB backend's segments; `nil` in memory.
    private let database: RocksDBKeyValueStore?

    /// The directory name of the RocksDB backend's database (never `<name>.<number>`, the name of
    /// a segment database of the earlier layout).
    static var databaseName: String { "segments" }

    var isPersistent: Bool {
        if case .rocksDB = backend { return true }
        return false
    }

    /// Opens the store; a RocksDB store reopens the segments found in its database, and those
    /// of the earlier layout found in its directory.
    ///
    /// As in Kafka Streams, the observed stream time starts unknown after a restart, so existing
    /// segments stay readable until newer writes expire them.
    init(name: String, retentionPeriod: Int64, segmentInterval: Int64, backend: Backend) throws {
        precondition(segmentInterval > 0 && retentionPeriod >= 0, "checked by the store suppliers")
        self.name = name
        self.retentionPeriod = retentionPeriod
        self.segmentInterval = segmentInterval
        self.backend = backend
        var state = State()
        var database: RocksDBKeyValueStore?
        if case .rocksDB(let directory, let options) = backend {
            let prefix = "\(name)."
            let entries: [String]
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                entries = try FileManager.default.contentsOfDirectory(atPath: directory)
            } catch {
                throw StreamsError.stateStore(store: name, message: "cannot read the store directory \(directory): \(error)")
            }
            for entry in entries.sorted() where entry.hasPrefix(prefix) {
                guard let start = Int64(entry.dropFirst(prefix.count)), start >= 0 else { continue }
                let id = start / segmentInterval
                guard state.segments[id] == nil else { continue }
                state.segments[id] = try RocksDBKeyValueStore(
                    name: entry, path: "\(directory)/\(entry)", options: options)
            }
            let opened = try RocksDBKeyValueStore(
                name: name, path: "\(directory)/\(Self.databaseName)", options: options)
            for id in try RocksDBSegment.ids(in: opened) where state.segments[id] == nil {
                state.segments[id] = RocksDBSegment(
                    name: Self.segmentName(store: name, id: id, interval: segmentInterval), id: id, database: opened)
            }
            database = opened
        }
        self.database = database
        self.state = Mutex(state)
    }

    // MARK: - Segments

    func segmentID(_ timestamp: Int64) -> Int64 { timestamp / segmentInterval }

    /// The name of a segment: `<store>.<segment start>`, as Kafka Streams names them.
    func segmentName(_ id: Int64) -> String { Self.segmentName(store: name, id: id, interval: segmentInterval) }

    private static func segmentName(store: String, id: Int64, interval: Int64) -> String { "\(store).\(id &* interval)" }

    /// The directory of a RocksDB segment database of the earlier layout.
    func segmentPath(_ id: Int64) -> String? {
        guard case .rocksDB(let directory, _) = backend else { return nil }
        return "\(directory)/\(segmentName(id))"
    }

    /// The ids of the open segments, ascending.
    var segmentIDs: [Int64] { state.withLock { $0.segments.keys.sorted() } }

    /// The ids of the segments with keys in the RocksDB backend's database, ascending (whatever
    /// the retention hides); empty in memory.
    func idsInDatabase() throws -> [Int64] {
        try state.withLock { _ in try database.map { try RocksDBSegment.ids(in: $0) } ?? [] }
    }

    /// The largest segment timestamp written; -1 before any.
    var observedStreamTime: Int64 { state.withLock { $0.observedStreamTime } }

    /// Writes dropped because their key had already expired.
    var expiredRecordsDropped: Int { state.withLock { $0.expiredRecordsDropped } }

    /// The oldest segment timestamp still readable.
    private func minLiveTime(_ state: State) -> Int64 {
        let (oldest, overflow) = state.observedStreamTime.subtractingReportingOverflow(retentionPeriod)
        return overflow ? .min : oldest + 1
    }

    private func segment(_ id: Int64, in state: inout State) throws -> any KeyValueBytesStore & Sendable {
        if let segment = state.segments[id] { return segment }
        let made: any KeyValueBytesStore & Sendable
        switch backend {
        case .inMemory:
            made = InMemoryKeyValueStore(name: segmentName(id))
        case .rocksDB:
            guard let database else { preconditionFailure("a RocksDB segmented store opens its database") }
            made = RocksDBSegment(name: segmentName(id), id: id, database: database)
        }
        state.segments[id] = made
        return made
    }

    /// Drops every segment whose keys are all older than the retention period.
    ///
    /// Only when the oldest live segment has moved since the last drop: most writes leave it where
    /// it was, and sorting the segment ids on every write cost ~525 instructions a record (~2% of
    /// the benchmarks' windowed count). No segment older than it is made meanwhile: such keys have
    /// expired, and their writes are dropped.
    private func dropExpiredSegments(_ state: inout State) throws {
        let (oldest, overflow) = state.observedStreamTime.subtractingReportingOverflow(retentionPeriod)
        guard !overflow else { return }
        let minLiveSegment = segmentID(oldest)
        guard minLiveSegment > state.segmentsDroppedBelow else { return }
        for id in state.segments.keys.sorted() where id < minLiveSegment {
            try drop(id, in: &state, expired: true)
        }
        state.segmentsDroppedBelow = minLiveSegment
    }

    /// Deletes one segment: its keys, or its database (earlier layout). An `expired` segment's
    /// keys go in one range deletion (``RocksDBSegment/dropExpired()``): none of them is written
    /// again while the memtable holds them, since writes behind the retention period are dropped
    /// and the observed stream time only grows (``removeAll()``, which resets it, deletes key by
    /// key and flushes the memtable).
    private func drop(_ id: Int64, in state: inout State, expired: Bool) throws {
        guard let segment = state.segments.removeValue(forKey: id) else { return }
        if let keys = segment as? RocksDBSegment { return try expired ? keys.dropExpired() : keys.removeAll() }
        try segment.close()
        guard case .rocksDB(_, let options) = backend, let path = segmentPath(id) else { return }
        do {
            try RocksDB.destroy(path: path, options: options)
        } catch {
            throw StreamsError.stateStore(store: name, message: "cannot delete the expired segment \(path): \(error)")
        }
        try? FileManager.default.removeItem(atPath: path)
    }

    private func segmentTimestamp(of key: [UInt8]) throws -> Int64 {
        guard key.count >= Schema.suffixSize else {
            throw StreamsError.stateStore(
                store: name, message: "a key of \(key.count) bytes is shorter than its \(Schema.suffixSize)-byte time suffix")
        }
        return key.withUnsafeBytes { Schema.segmentTimestamp($0) }
    }

    private func checkOpen(_ state: State) throws {
        if state.isClosed { throw StreamsError.stateStore(store: name, message: "the store is closed") }
    }

    // MARK: - Queries

    /// The entries whose record key lies in `keyFrom...keyTo` (`nil`: unbounded) and whose times
    /// match `timeFrom` and `timeTo` (see the schema), ascending by record key, then time.
    ///
    /// `timeFrom` is raised to the oldest readable time; only segments that can hold matches
    /// are searched.
    func fetch(keyFrom: [UInt8]?, keyTo: [UInt8]?, timeFrom: Int64, timeTo: Int64) throws -> [(key: [UInt8], value: [UInt8])] {
        if let keyFrom, let keyTo, ByteBTree.compare(keyFrom, keyTo) > 0 { return [] }
        let singleKey = keyFrom != nil && keyFrom == keyTo
        return try state.withLock { state in
            try checkOpen(state)
            let from = max(timeFrom, minLiveTime(state))
            guard !Schema.isEmptyTimeRange(timeFrom: from, timeTo: timeTo) else { return [] }
            let lower = Schema.lowerBound(keyFrom: keyFrom, timeFrom: from, singleKey: singleKey)
            let upper = Schema.upperBound(keyTo: keyTo, timeTo: timeTo, singleKey: singleKey)
            let firstSegment = segmentID(max(from, 0))
            let lastSegment = segmentID(Schema.lastSegmentTimestamp(timeTo: timeTo))
            var result: [(key: [UInt8], value: [UInt8])] = []
            for id in state.segments.keys.sorted() where id >= firstSegment && id <= lastSegment {
                for entry in try state.segments[id]!.range(from: lower, to: upper, reverse: false)
                where Schema.matches(entry.key, keyFrom: keyFrom, keyTo: keyTo, timeFrom: from, timeTo: timeTo) {
                    result.append(entry)
                }
            }
            result.sort { Schema.precedes($0.key, $1.key) }
            return result
        }
    }

    /// ``fetch(keyFrom:keyTo:timeFrom:timeTo:)`` through the layers above this store (such as
    /// the record cache, which must be flushed or read first): one byte range read of `top`,
    /// then the same filter and order. Every segment is searched.
    func fetch(
        through top: any KeyValueBytesStore, keyFrom: [UInt8]?, keyTo: [UInt8]?, timeFrom: Int64, timeTo: Int64
    ) throws -> [(key: [UInt8], value: [UInt8])] {
        if let keyFrom, let keyTo, ByteBTree.compare(keyFrom, keyTo) > 0 { return [] }
        let singleKey = keyFrom != nil && keyFrom == keyTo
        // Not under the lock: `top` reads this store. Data that expires meanwhile is filtered
        // out by `range`.
        let from = max(timeFrom, state.withLock { minLiveTime($0) })
        guard !Schema.isEmptyTimeRange(timeFrom: from, timeTo: timeTo) else { return [] }
        var result = try top.range(
            from: Schema.lowerBound(keyFrom: keyFrom, timeFrom: from, singleKey: singleKey),
            to: Schema.upperBound(keyTo: keyTo, timeTo: timeTo, singleKey: singleKey), reverse: false
        ).filter { Schema.matches($0.key, keyFrom: keyFrom, keyTo: keyTo, timeFrom: from, timeTo: timeTo) }
        result.sort { Schema.precedes($0.key, $1.key) }
        return result
    }

    // MARK: - KeyValueBytesStore

    /// Whether `key`'s segment timestamp is not older than the retention period behind the
    /// observed stream time (``get(_:)`` answers `nil` for an older one). Once `false`, it stays
    /// so until ``removeAll()``: the observed stream time only grows.
    func isReadable(_ key: [UInt8]) throws -> Bool {
        let timestamp = try segmentTimestamp(of: key)
        return try state.withLock { state in
            try checkOpen(state)
            return timestamp >= minLiveTime(state)
        }
    }

    func get(_ key: [UInt8]) throws -> [UInt8]? {
        let timestamp = try segmentTimestamp(of: key)
        return try state.withLock { state in
            try checkOpen(state)
            guard timestamp >= minLiveTime(state) else { return nil }
            return try state.segments[segmentID(timestamp)]?.get(key)
        }
    }

    /// Writes a key into its segment, unless the key has expired: then the write is dropped, as
    /// Kafka Streams does. Advances the observed stream time and drops expired segments.
    func put(_ key: [UInt8], _ value: [UInt8]) throws {
        let timestamp = try segmentTimestamp(of: key)
        try state.withLock { state in
            try checkOpen(state)
            state.observedStreamTime = max(state.observedStreamTime, timestamp)
            try dropExpiredSegments(&state)
            guard timestamp >= minLiveTime(state) else {
                state.expiredRecordsDropped += 1
                return
            }
            try segment(segmentID(timestamp), in: &state).put(key, value)
        }
    }

    @discardableResult
    func delete(_ key: [UInt8]) throws -> [UInt8]? {
        let timestamp = try segmentTimestamp(of: key)
        return try state.withLock { state in
            try checkOpen(state)
            return try state.segments[segmentID(timestamp)]?.delete(key)
        }
    }

    /// Readable keys in unsigned byte order, across segments.
    func range(from: [UInt8]?, to: [UInt8]?, reverse: Bool) throws -> [(key: [UInt8], value: [UInt8])] {
        try state.withLock { state in
            try checkOpen(state)
            let minLive = minLiveTime(state)
            var result: [(key: [UInt8], value: [UInt8])] = []
            for id in state.segments.keys.sorted() {
                for entry in try state.segments[id]!.range(from: from, to: to, reverse: false)
                where entry.key.count >= Schema.suffixSize
                    && entry.key.withUnsafeBytes({ Schema.segmentTimestamp($0) }) >= minLive
                {
                    result.append(entry)
                }
            }
            result.sort { ByteBTree.compare($0.key, $1.key) < 0 }
            if reverse { result.reverse() }
            return result
        }
    }

    /// The database's estimate, plus the sizes of in-memory segments or segment databases of the
    /// earlier layout.
    func approximateNumEntries() throws -> Int {
        try state.withLock { state in
            try state.segments.values.reduce(try database?.approximateNumEntries() ?? 0) { total, segment in
                segment is RocksDBSegment ? total : total + (try segment.approximateNumEntries())
            }
        }
    }

    /// Drops every segment and forgets the observed stream time.
    ///
    /// Then keys of segments that expired earlier may be written again: the database's memtable
    /// is flushed, so that no such write lands in place on an entry under an earlier range
    /// deletion (``RocksDBSegment/dropExpired()``).
    func removeAll() throws {
        try state.withLock { state in
            for id in state.segments.keys.sorted() { try drop(id, in: &state, expired: false) }
            state.observedStreamTime = -1
            state.segmentsDroppedBelow = .min
            try database?.flush()
        }
    }

    func flush() throws {
        try state.withLock { state in
            for id in state.segments.keys.sorted() where !(state.segments[id] is RocksDBSegment) {
                try state.segments[id]!.flush()
            }
            try database?.flush()
        }
    }

    func close() throws {
        try state.withLock { state in
            guard !state.isClosed else { return }
            state.isClosed = true
            var firstError: (any Error)?
            for segment in state.segments.values {
                do { try segment.close() } catch { firstError = firstError ?? error }
            }
            state.segments.removeAll()
            do { try database?.close() } catch { firstError = firstError ?? error }
            if let firstError { throw firstError }
        }
    }
}

/// The mutable state of a ``SegmentedBytesStore``, behind its lock. Not nested in the generic
/// store, where it would be generic too and cost a metadata lookup on every access (two per
/// write of a windowed aggregation).
private struct SegmentedBytesStoreState {
    var segments: [Int64: any KeyValueBytesStore & Sendable] = [:]
    /// The largest segment timestamp written; -1 before any (Kafka's `NO_TIMESTAMP`).
    var observedStreamTime: Int64 = -1
    /// No segment below this id is open: those expired and were dropped (``Int64/min``: none yet).
    var segmentsDroppedBelow: Int64 = .min
    var expiredRecordsDropped = 0
    var isClosed = false
}
