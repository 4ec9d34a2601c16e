import Foundation

/// How a segmented store's byte keys are laid out: `[record key][fixed-size suffix of times]`.
///
/// As Kafka Streams' `SegmentedBytesStore.KeySchema`, a schema says which timestamp puts a key in
/// a segment, which byte range holds the keys of a query, and which keys of that range really
/// match (a byte range of variable-length keys also holds keys that only look similar).
protocol SegmentedKeySchema: Sendable {
    /// The bytes after the record key.
    static var suffixSize: Int { get }
    /// The timestamp that chooses the key's segment and its expiry.
    static func segmentTimestamp(_ storeKey: UnsafeRawBufferPointer) -> Int64
    /// The suffix of the smallest store key of `key` with a time from `timeFrom` on.
    static func minSuffix(timeFrom: Int64) -> [UInt8]
    /// The suffix of the largest store key with a time up to `timeTo`.
    static func maxSuffix(timeTo: Int64) -> [UInt8]
    /// Whether no key can match times `timeFrom...timeTo`.
    static func isEmptyTimeRange(timeFrom: Int64, timeTo: Int64) -> Bool
    /// Whether a key's times match the query's.
    static func matchesTimes(_ storeKey: UnsafeRawBufferPointer, timeFrom: Int64, timeTo: Int64) -> Bool
    /// The segment timestamp past which no key of the query lies.
    static func lastSegmentTimestamp(timeTo: Int64) -> Int64
    /// The numbers in the suffix, in the order results are sorted by after the record key.
    static func suffixOrder(_ storeKey: UnsafeRawBufferPointer) -> (Int64, Int64)
}

extension SegmentedKeySchema {
    /// The record key part of a store key.
    static func recordKey(_ storeKey: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: storeKey.prefix(storeKey.count - suffixSize))
    }

    /// The record key part of a store key.
    static func recordKey(_ storeKey: [UInt8]) -> ArraySlice<UInt8> {
        storeKey.prefix(storeKey.count - suffixSize)
    }

    /// The smallest byte key of the query's range: the first key of `keyFrom` from `timeFrom` on
    /// when the query is for one key; otherwise `keyFrom` followed by zeros, below every key that
    /// starts with `keyFrom` (keys that extend `keyFrom` sort between such a bound and `keyFrom`'s
    /// own entries). `nil` for no lower bound.
    static func lowerBound(keyFrom: [UInt8]?, timeFrom: Int64, singleKey: Bool) -> [UInt8]? {
        guard let keyFrom else { return nil }
        return keyFrom + (singleKey ? minSuffix(timeFrom: max(timeFrom, 0)) : [UInt8](repeating: 0, count: suffixSize))
    }

    /// The largest byte key of the query's range. Store keys of shorter record keys that are a
    /// prefix of `keyTo` (and so sort before it as record keys) may sort after `keyTo + suffix` as
    /// bytes, so the bound is the largest of `prefix + maxSuffix` over every prefix of `keyTo`,
    /// the empty one included. `nil` for no upper bound.
    static func upperBound(keyTo: [UInt8]?, timeTo: Int64, singleKey: Bool) -> [UInt8]? {
        guard let keyTo else { return nil }
        let suffix = maxSuffix(timeTo: timeTo)
        if singleKey { return keyTo + suffix }
        var best = 0
        for length in stride(from: 1, through: keyTo.count, by: 1) {
            if candidate(best, precedes: length, keyTo: keyTo, suffix: suffix) { best = length }
        }
        return Array(keyTo.prefix(best)) + suffix
    }

    /// Whether `keyTo[..<shorter] + suffix` sorts before `keyTo[..<longer] + suffix`, where
    /// `shorter < longer`; both share `keyTo[..<shorter]`, so only `suffix` is compared with
    /// `keyTo[shorter..<longer] + suffix`.
    private static func candidate(_ shorter: Int, precedes longer: Int, keyTo: [UInt8], suffix: [UInt8]) -> Bool {
        let gap = longer - shorter
        for i in suffix.indices {
            let other = i < gap ? keyTo[shorter + i] : suffix[i - gap]
            if suffix[i] != other { return suffix[i] < other }
        }
        // `suffix` is a proper prefix of the other: the shorter key sorts first.
        return true
    }

    /// Whether a store key's record key lies in `keyFrom...keyTo` (unsigned byte order) and its
    /// times match.
    static func matches(
        _ storeKey: [UInt8], keyFrom: [UInt8]?, keyTo: [UInt8]?, timeFrom: Int64, timeTo: Int64
    ) -> Bool {
        storeKey.withUnsafeBytes { raw in
            guard raw.count >= suffixSize else { return false }
            let key = recordKey(raw)
            if let keyFrom, keyFrom.withUnsafeBytes({ ByteBTree.compare(key, $0) }) < 0 { return false }
            if let keyTo, keyTo.withUnsafeBytes({ ByteBTree.compare(key, $0) }) > 0 { return false }
            return matchesTimes(raw, timeFrom: timeFrom, timeTo: timeTo)
        }
    }

    /// Result order: record key bytes, then the suffix's numbers.
    static func precedes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBytes { a in
            b.withUnsafeBytes { b in
                let byKey = ByteBTree.compare(recordKey(a), recordKey(b))
                if byKey != 0 { return byKey < 0 }
                let (a0, a1) = suffixOrder(a)
                let (b0, b1) = suffixOrder(b)
                return (a0, a1) < (b0, b1)
            }
        }
    }
}

/// Reads a big-endian `Int64` at `offset`.
@inline(__always)
func loadBigEndianInt64(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Int64 {
    Int64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Int64.self))
}
