/// Window store keys: `[record key][window start: 8 bytes big-endian][sequence number: 4 bytes BE]`,
/// Kafka Streams' `WindowKeySchema` store layout.
///
/// The sequence number tells apart duplicates of one key and window when the store retains
/// duplicates; otherwise it is 0. Keys are segmented and expire by window start.
enum WindowKeySchema: SegmentedKeySchema {
    static let suffixSize = 12

    /// The store key of a record key in the window starting at `windowStart`.
    static func storeKey(_ key: [UInt8], windowStart: Int64, sequenceNumber: UInt32) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(key.count + suffixSize)
        bytes.append(contentsOf: key)
        appendBigEndian(windowStart, to: &bytes)
        appendBigEndian(sequenceNumber, to: &bytes)
        return bytes
    }

    /// The window start of a store key.
    static func windowStart(_ storeKey: UnsafeRawBufferPointer) -> Int64 {
        loadBigEndianInt64(storeKey, at: storeKey.count - suffixSize)
    }

    /// The sequence number of a store key.
    static func sequenceNumber(_ storeKey: UnsafeRawBufferPointer) -> UInt32 {
        UInt32(bigEndian: storeKey.loadUnaligned(fromByteOffset: storeKey.count - 4, as: UInt32.self))
    }

    static func segmentTimestamp(_ storeKey: UnsafeRawBufferPointer) -> Int64 { windowStart(storeKey) }

    static func minSuffix(timeFrom: Int64) -> [UInt8] {
        var bytes: [UInt8] = []
        appendBigEndian(timeFrom, to: &bytes)
        appendBigEndian(UInt32(0), to: &bytes)
        return bytes
    }

    static func maxSuffix(timeTo: Int64) -> [UInt8] {
        var bytes: [UInt8] = []
        appendBigEndian(timeTo, to: &bytes)
        appendBigEndian(UInt32.max, to: &bytes)
        return bytes
    }

    static func isEmptyTimeRange(timeFrom: Int64, timeTo: Int64) -> Bool {
        timeFrom > timeTo || timeTo < 0
    }

    static func matchesTimes(_ storeKey: UnsafeRawBufferPointer, timeFrom: Int64, timeTo: Int64) -> Bool {
        let start = windowStart(storeKey)
        return start >= timeFrom && start <= timeTo
    }

    static func lastSegmentTimestamp(timeTo: Int64) -> Int64 { timeTo }

    static func suffixOrder(_ storeKey: UnsafeRawBufferPointer) -> (Int64, Int64) {
        (windowStart(storeKey), Int64(sequenceNumber(storeKey)))
    }
}
