/// Session store keys: `[record key][session end: 8 bytes big-endian][session start: 8 bytes BE]`,
/// Kafka Streams' `SessionKeySchema` layout.
///
/// Keys are segmented and expire by session end. A query for sessions that end at or after
/// `earliestSessionEndTime` and start at or before `latestSessionStartTime` uses those two as
/// its `timeFrom` and `timeTo`.
enum SessionKeySchema: SegmentedKeySchema {
    static let suffixSize = 16

    /// The store key of a session.
    static func storeKey(_ key: [UInt8], start: Int64, end: Int64) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(key.count + suffixSize)
        bytes.append(contentsOf: key)
        appendBigEndian(end, to: &bytes)
        appendBigEndian(start, to: &bytes)
        return bytes
    }

    /// The session end of a store key.
    static func sessionEnd(_ storeKey: UnsafeRawBufferPointer) -> Int64 {
        loadBigEndianInt64(storeKey, at: storeKey.count - 16)
    }

    /// The session start of a store key.
    static func sessionStart(_ storeKey: UnsafeRawBufferPointer) -> Int64 {
        loadBigEndianInt64(storeKey, at: storeKey.count - 8)
    }

    static func segmentTimestamp(_ storeKey: UnsafeRawBufferPointer) -> Int64 { sessionEnd(storeKey) }

    static func minSuffix(timeFrom: Int64) -> [UInt8] {
        var bytes: [UInt8] = []
        appendBigEndian(timeFrom, to: &bytes)
        appendBigEndian(Int64(0), to: &bytes)
        return bytes
    }

    /// Any end (up to `Int64.max`), and a start no later than `timeTo`.
    static func maxSuffix(timeTo: Int64) -> [UInt8] {
        var bytes: [UInt8] = []
        appendBigEndian(Int64.max, to: &bytes)
        appendBigEndian(timeTo, to: &bytes)
        return bytes
    }

    /// A session may end after a later `timeFrom` than the `timeTo` it started by, so only a
    /// negative latest start rules every session out.
    static func isEmptyTimeRange(timeFrom: Int64, timeTo: Int64) -> Bool {
        timeTo < 0
    }

    static func matchesTimes(_ storeKey: UnsafeRawBufferPointer, timeFrom: Int64, timeTo: Int64) -> Bool {
        sessionEnd(storeKey) >= timeFrom && sessionStart(storeKey) <= timeTo
    }

    /// Sessions are segmented by end, which the query does not bound.
    static func lastSegmentTimestamp(timeTo: Int64) -> Int64 { .max }

    static func suffixOrder(_ storeKey: UnsafeRawBufferPointer) -> (Int64, Int64) {
        (sessionEnd(storeKey), sessionStart(storeKey))
    }
}
