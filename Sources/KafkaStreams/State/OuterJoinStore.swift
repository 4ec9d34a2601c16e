/// The shared store of a left or outer stream-stream join: the records that have not found a
/// partner yet, waiting for their join window to close.
///
/// The layout is Kafka Streams' (`TimestampedKeyAndJoinSide` keys over a `ListValueStore`), so
/// its changelog stays readable by both:
/// - key: `[timestamp: 8 bytes BE][side: 1 = left, 0 = right][serialized record key]`, so that
///   entries are ordered by time;
/// - value: every record with that key, side and time, as Kafka's list serde of byte arrays
///   (`[1][count: 4 BE]` then `[length: 4 BE][bytes]` each), each record being a
///   `LeftOrRightValue`: `[1 = left, 0 = right][serialized value]`.
final class OuterJoinStore {
    /// One key of the store: a time, a side and a record key, with the records waiting there.
    struct Entry {
        let storeKey: [UInt8]
        let timestamp: Int64
        let isLeftSide: Bool
        /// The serialized record key.
        let key: ArraySlice<UInt8>
        /// `LeftOrRightValue` bytes, in insertion order.
        let values: [ArraySlice<UInt8>]
    }

    let bytes: any KeyValueBytesStore

    init(bytes: any KeyValueBytesStore) {
        self.bytes = bytes
    }

    static func key(timestamp: Int64, isLeftSide: Bool, key: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(9 + key.count)
        appendBigEndian(timestamp, to: &bytes)
        bytes.append(isLeftSide ? 1 : 0)
        bytes.append(contentsOf: key)
        return bytes
    }

    /// `LeftOrRightValue` bytes of a serialized value.
    static func leftOrRight(isLeftSide: Bool, _ value: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [isLeftSide ? 1 : 0]
        bytes.append(contentsOf: value)
        return bytes
    }

    /// Adds a record under `key` (after those already there).
    func append(_ key: [UInt8], _ value: [UInt8]) throws {
        var values = try bytes.get(key).map { try Self.decodeList($0, store: bytes.name) } ?? []
        values.append(value[...])
        try bytes.put(key, Self.encodeList(values))
    }

    /// Removes every record under `key`, if there are any (Kafka's `putIfAbsent(key, null)`).
    func removeAll(_ key: [UInt8]) throws {
        guard try bytes.get(key) != nil else { return }
        try bytes.delete(key)
    }

    /// The entries with a timestamp in `fromTime...toTime` (`nil`: no upper bound), by key.
    func entries(fromTime: Int64, toTime: Int64?) throws -> [Entry] {
        var lower: [UInt8] = []
        appendBigEndian(fromTime, to: &lower)
        var upper: [UInt8]?
        if let toTime, toTime < Int64.max {
            // Every key with a timestamp up to `toTime` sorts below the 8 bytes of `toTime + 1`
            // (keys of `toTime + 1` start with those bytes and are longer).
            var bound: [UInt8] = []
            appendBigEndian(toTime + 1, to: &bound)
            upper = bound
        }
        return try bytes.range(from: lower, to: upper, reverse: false).compactMap { entry in
            guard entry.key.count >= 9 else { return nil }
            if let upper, entry.key == upper { return nil }
            let timestamp = entry.key.withUnsafeBytes { loadBigEndianInt64($0, at: 0) }
            return Entry(
                storeKey: entry.key, timestamp: timestamp, isLeftSide: entry.key[8] == 1, key: entry.key[9...],
                values: try Self.decodeList(entry.value, store: bytes.name))
        }
    }

    /// Kafka's `ListSerde` of byte arrays (variable-size strategy).
    static func encodeList(_ values: [ArraySlice<UInt8>]) -> [UInt8] {
        var bytes: [UInt8] = [1]
        appendBigEndian(UInt32(values.count), to: &bytes)
        for value in values {
            appendBigEndian(UInt32(value.count), to: &bytes)
            bytes.append(contentsOf: value)
        }
        return bytes
    }

    static func decodeList(_ bytes: [UInt8], store: String) throws -> [ArraySlice<UInt8>] {
        func invalid() -> StreamsError {
            StreamsError.stateStore(store: store, message: "an outer join entry of \(bytes.count) bytes is malformed")
        }
        guard bytes.count >= 5, bytes[0] == 1 else { throw invalid() }
        func int(at offset: Int) -> Int {
            Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
        }
        let count = int(at: 1)
        var values: [ArraySlice<UInt8>] = []
        values.reserveCapacity(min(count, bytes.count))
        var offset = 5
        for _ in 0..<count {
            guard offset + 4 <= bytes.count else { throw invalid() }
            let length = int(at: offset)
            offset += 4
            guard length >= 0, offset + length <= bytes.count else { throw invalid() }
            values.append(bytes[offset..<(offset + length)])
            offset += length
        }
        return values
    }
}
