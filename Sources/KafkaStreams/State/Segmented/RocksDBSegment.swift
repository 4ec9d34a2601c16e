/// One segment of a RocksDB ``SegmentedBytesStore``: the segment's entries in the store's one
/// database, each key behind an 8-byte prefix that names the segment.
///
/// Kafka Streams opens a RocksDB database per segment. Here a task's window or session store has
/// one database, and a segment is a key range of it: opening a database cost ~1 ms of file
/// creation and fsyncs and wrote an OPTIONS file, once per segment and task: ~40% of the stream
/// thread in a windowed count replaying 5 minutes of data on 38 partitions (docs/benchmarks-history.md).
/// An expired segment goes in one range deletion (``dropExpired()``).
///
/// The prefix is the segment id, big-endian with its sign bit flipped, so prefixes sort as ids
/// do and a segment's keys are contiguous, in the order of the keys without the prefix.
///
/// Holds no resources of its own: the store owns the database and closes it. Every call comes
/// under the store's lock.
final class RocksDBSegment: KeyValueBytesStore, Sendable {
    let name: String
    var isPersistent: Bool { true }
    let id: Int64
    private let database: RocksDBKeyValueStore
    private let prefix: [UInt8]
    /// The prefix of the next segment id: the exclusive end of this segment's keys; `nil` for
    /// the largest id.
    private let end: [UInt8]?

    static let prefixSize = 8

    init(name: String, id: Int64, database: RocksDBKeyValueStore) {
        self.name = name
        self.id = id
        self.database = database
        self.prefix = Self.prefix(of: id)
        self.end = id == .max ? nil : Self.prefix(of: id + 1)
    }

    static func prefix(of id: Int64) -> [UInt8] {
        withUnsafeBytes(of: (UInt64(bitPattern: id) ^ (1 << 63)).bigEndian) { Array($0) }
    }

    /// The segment id of a prefixed key, `nil` when the key is shorter than a prefix.
    static func id(ofPrefixed key: UnsafeRawBufferPointer) -> Int64? {
        guard key.count >= prefixSize else { return nil }
        var raw: UInt64 = 0
        for byte in key.prefix(prefixSize) { raw = raw << 8 | UInt64(byte) }
        return Int64(bitPattern: raw ^ (1 << 63))
    }

    /// The ids of the segments that have entries in `database`, ascending: one seek per segment.
    static func ids(in database: RocksDBKeyValueStore) throws -> [Int64] {
        var ids: [Int64] = []
        var from: [UInt8]? = nil
        while true {
            var found: Int64?
            try database.scan(from: from, before: nil) { key, _ in
                found = id(ofPrefixed: key)
                return false
            }
            guard let id = found else { return ids }
            ids.append(id)
            guard id < .max else { return ids }
            from = prefix(of: id + 1)
        }
    }

    private func prefixed(_ key: [UInt8]) -> [UInt8] {
        var prefixed: [UInt8] = []
        prefixed.reserveCapacity(Self.prefixSize + key.count)
        prefixed.append(contentsOf: prefix)
        prefixed.append(contentsOf: key)
        return prefixed
    }

    /// Calls `body` with the segment's prefix and `key`, composed in a buffer on the stack: an
    /// array per read and write (``prefixed(_:)``, an allocation and a free) cost ~325
    /// instructions a record, ~1% of the benchmarks' windowed count.
    private func withPrefixed<Result>(_ key: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withUnsafeTemporaryAllocation(byteCount: Self.prefixSize + key.count, alignment: 1) { buffer in
            let base = buffer.baseAddress!
            prefix.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: Self.prefixSize) }
            key.withUnsafeBytes { bytes in
                if let source = bytes.baseAddress { (base + Self.prefixSize).copyMemory(from: source, byteCount: bytes.count) }
            }
            return try body(UnsafeRawBufferPointer(buffer))
        }
    }

    func get(_ key: [UInt8]) throws -> [UInt8]? {
        try withPrefixed(key) { try database.get(bytes: $0) }
    }

    func put(_ key: [UInt8], _ value: [UInt8]) throws {
        try withPrefixed(key) { try database.put(bytes: $0, value) }
    }

    @discardableResult
    func delete(_ key: [UInt8]) throws -> [UInt8]? {
        try database.delete(prefixed(key))
    }

    /// The segment's entries whose key (without the prefix) is in `[from, to]` (`nil`: open),
    /// ascending, or descending when `reverse` is set.
    func range(from: [UInt8]?, to: [UInt8]?, reverse: Bool) throws -> [(key: [UInt8], value: [UInt8])] {
        if let from, let to, ByteBTree.compare(from, to) > 0 { return [] }
        // Inclusive `to`: the smallest key after it is `to + [0]`.
        let upper = to.map { prefixed($0) + [0] } ?? end
        var result: [(key: [UInt8], value: [UInt8])] = []
        try database.scan(from: from.map(prefixed) ?? prefix, before: upper) { key, value in
            result.append((Array(key[Self.prefixSize...]), Array(value)))
            return true
        }
        if reverse { result.reverse() }
        return result
    }

    /// Counts the segment's entries (the store sums its database's estimate instead).
    func approximateNumEntries() throws -> Int {
        var count = 0
        try database.scan(from: prefix, before: end) { _, _ in
            count += 1
            return true
        }
        return count
    }

    /// Deletes the segment's keys one by one, so that any of them may be written again.
    func removeAll() throws {
        try database.deleteAll(from: prefix, before: end)
    }

    /// Deletes the segment's keys in one range deletion, for a segment none of whose keys will be
    /// written again while the memtable holds them (an expired one, ``SegmentedBytesStore``).
    ///
    /// Not for keys that may be written again: under in-place updates (``RocksDBSharedResources``)
    /// a later write of a key still in the memtable overwrites its old entry in place, under the
    /// range deletion's newer sequence number, and stays hidden (on RocksDB 7.8.3 a key put,
    /// range-deleted, then put again read as absent). The hazard ends when the memtable is
    /// flushed or the database reopened.
    func dropExpired() throws {
        try database.deleteRange(from: prefix, before: end)
    }

    func flush() throws {
        try database.flush()
    }

    /// Nothing to release: the store closes the database.
    func close() throws {}
}
