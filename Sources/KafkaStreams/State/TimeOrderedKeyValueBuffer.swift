/// The buffer of a `suppress` processor: at most one buffered table update per key, evicted in
/// order of buffer time (Kafka Streams' `InMemoryTimeOrderedKeyValueChangeBuffer`).
///
/// Entries live in an in-memory key-value store, logged to the buffer's changelog unless logging
/// is disabled, under `[buffer time: 8 bytes BE][serialized key]`; the value is the latest update:
/// `[record timestamp: 8][new value][old value][headers]`, each value `[length: 4 BE][bytes]` with
/// length `0xFFFFFFFF` for null, headers `[count: 4]` then `[key length: 4][key][value]` each.
/// An index (key to buffer time) and the time order are kept in memory, built from the store the
/// first time the buffer is used, after the task's restoration.
///
/// Re-buffering a key keeps its buffer time (Kafka's non-resetting semantics), so an entry never
/// moves once buffered. The size counts store keys and values, as the bound of `maxBytes`.
final class TimeOrderedKeyValueBuffer: StateStore {
    /// An update taken out of the buffer.
    struct Eviction {
        var key: [UInt8]
        var newValue: [UInt8]?
        var oldValue: [UInt8]?
        var timestamp: Int64
        var headers: RecordHeaders
    }

    private struct Entry {
        var time: Int64
        var size: Int
    }

    let name: String
    var isPersistent: Bool { false }
    /// The store with its changelog layer.
    private let bytes: any KeyValueBytesStore
    private var isLoaded = false
    /// By key; ``ByteKey`` hashes a key's bytes in one call, where `[UInt8]` hashes byte by byte.
    private var index: [ByteKey: Entry] = [:]
    /// Buffered keys by (buffer time, key bytes), from `head` on.
    private var order: [(time: Int64, key: [UInt8])] = []
    private var head = 0
    /// Bytes of the buffered store keys and values.
    private(set) var byteSize = 0

    init(name: String, bytes: any KeyValueBytesStore) {
        self.name = name
        self.bytes = bytes
    }

    /// The number of buffered keys.
    var count: Int { index.count }

    /// The earliest buffer time, or `nil` when empty.
    func minTime() throws -> Int64? {
        try load()
        return head < order.count ? order[head].time : nil
    }

    /// Buffers the latest update of a key; a key already buffered keeps its buffer time.
    func put(
        time: Int64, key: [UInt8], newValue: [UInt8]?, oldValue: [UInt8]?, timestamp: Int64, headers: RecordHeaders
    ) throws {
        try load()
        let bufferTime: Int64
        if let existing = index[ByteKey(key)] {
            bufferTime = existing.time
            byteSize -= existing.size
        } else {
            bufferTime = time
            insert(time: time, key: key)
        }
        let storeKey = Self.storeKey(time: bufferTime, key: key)
        let value = Self.encode(newValue: newValue, oldValue: oldValue, timestamp: timestamp, headers: headers)
        try bytes.put(storeKey, value)
        let size = storeKey.count + value.count
        index[ByteKey(key)] = Entry(time: bufferTime, size: size)
        byteSize += size
    }

    /// Removes and returns the update with the earliest buffer time.
    func evictOldest() throws -> Eviction? {
        try load()
        guard head < order.count else { return nil }
        let (time, key) = order[head]
        head += 1
        if head > 64 && head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
        if let entry = index.removeValue(forKey: ByteKey(key)) { byteSize -= entry.size }
        let storeKey = Self.storeKey(time: time, key: key)
        guard let value = try bytes.delete(storeKey) else {
            throw StreamsError.stateStore(store: name, message: "a buffered key is missing from the store")
        }
        return try Self.decode(value, key: key, store: name)
    }

    func flush() throws { try bytes.flush() }

    func close() throws { try bytes.close() }

    // MARK: - Index

    /// Builds the in-memory index from the store (restored by now), once.
    private func load() throws {
        guard !isLoaded else { return }
        isLoaded = true
        for (storeKey, value) in try bytes.range(from: nil, to: nil, reverse: false) {
            guard storeKey.count >= 8 else {
                throw StreamsError.stateStore(store: name, message: "a buffer key of \(storeKey.count) bytes is too short")
            }
            let time = storeKey.withUnsafeBytes { loadBigEndianInt64($0, at: 0) }
            let key = Array(storeKey.dropFirst(8))
            if let existing = index[ByteKey(key)] {
                // Not expected (a key keeps its time while buffered): keep the later entry.
                let (stale, keep) = existing.time <= time ? (existing.time, time) : (time, existing.time)
                try bytes.delete(Self.storeKey(time: stale, key: key))
                if keep == existing.time { continue }
                byteSize -= existing.size
                order.removeAll { $0.time == existing.time && $0.key == key }
            }
            let size = storeKey.count + value.count
            index[ByteKey(key)] = Entry(time: time, size: size)
            order.append((time, key))
            byteSize += size
        }
        order.sort { Self.precedes($0, $1) }
    }

    private func insert(time: Int64, key: [UInt8]) {
        let item = (time: time, key: key)
        // Mostly appended: buffer times tend to grow.
        if let last = order.last, Self.precedes(item, last) {
            var low = head
            var high = order.count
            while low < high {
                let middle = (low + high) / 2
                if Self.precedes(order[middle], item) { low = middle + 1 } else { high = middle }
            }
            order.insert(item, at: low)
        } else {
            order.append(item)
        }
    }

    private static func precedes(_ lhs: (time: Int64, key: [UInt8]), _ rhs: (time: Int64, key: [UInt8])) -> Bool {
        lhs.time != rhs.time ? lhs.time < rhs.time : ByteBTree.compare(lhs.key, rhs.key) < 0
    }

    // MARK: - Encoding

    private static let nullLength = UInt32.max

    static func storeKey(time: Int64, key: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + key.count)
        appendBigEndian(time, to: &bytes)
        bytes.append(contentsOf: key)
        return bytes
    }

    static func encode(newValue: [UInt8]?, oldValue: [UInt8]?, timestamp: Int64, headers: RecordHeaders) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24 + (newValue?.count ?? 0) + (oldValue?.count ?? 0))
        appendBigEndian(timestamp, to: &bytes)
        appendNullable(newValue, to: &bytes)
        appendNullable(oldValue, to: &bytes)
        appendBigEndian(UInt32(headers.count), to: &bytes)
        for header in headers {
            appendNullable(Array(header.key.utf8), to: &bytes)
            appendNullable(header.value, to: &bytes)
        }
        return bytes
    }

    private static func appendNullable(_ value: [UInt8]?, to bytes: inout [UInt8]) {
        guard let value else {
            appendBigEndian(nullLength, to: &bytes)
            return
        }
        appendBigEndian(UInt32(value.count), to: &bytes)
        bytes.append(contentsOf: value)
    }

    static func decode(_ value: [UInt8], key: [UInt8], store: String) throws -> Eviction {
        var offset = 0
        func fail() -> StreamsError {
            StreamsError.stateStore(store: store, message: "a buffered value of \(value.count) bytes is malformed")
        }
        func readUInt32() throws -> UInt32 {
            guard offset + 4 <= value.count else { throw fail() }
            defer { offset += 4 }
            return value[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
        }
        func readNullable() throws -> [UInt8]? {
            let length = try readUInt32()
            if length == nullLength { return nil }
            guard offset + Int(length) <= value.count else { throw fail() }
            defer { offset += Int(length) }
            return Array(value[offset..<offset + Int(length)])
        }
        guard value.count >= 8 else { throw fail() }
        let timestamp = value.withUnsafeBytes { loadBigEndianInt64($0, at: 0) }
        offset = 8
        let newValue = try readNullable()
        let oldValue = try readNullable()
        var headers = RecordHeaders()
        for _ in 0..<(try readUInt32()) {
            guard let headerKey = try readNullable() else { throw fail() }
            headers.add(String(decoding: headerKey, as: UTF8.self), try readNullable())
        }
        return Eviction(key: key, newValue: newValue, oldValue: oldValue, timestamp: timestamp, headers: headers)
    }
}
