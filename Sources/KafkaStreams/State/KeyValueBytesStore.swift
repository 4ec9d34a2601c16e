/// A byte-level key-value store: the storage engine under a typed ``KeyValueStore``.
///
/// Keys are ordered by unsigned lexicographic bytes. Ranges are inclusive at both ends, `nil`
/// meaning unbounded, and are returned as a snapshot so callers may write while they iterate.
protocol KeyValueBytesStore: AnyObject {
    var name: String { get }
    var isPersistent: Bool { get }
    func get(_ key: [UInt8]) throws -> [UInt8]?
    func put(_ key: [UInt8], _ value: [UInt8]) throws
    /// Removes a key and returns its old value.
    @discardableResult func delete(_ key: [UInt8]) throws -> [UInt8]?
    func range(from: [UInt8]?, to: [UInt8]?, reverse: Bool) throws -> [(key: [UInt8], value: [UInt8])]
    /// ``range(from:to:reverse:)`` for a thread other than the one that writes the store: what
    /// interactive queries call. Each value is one the store held at some point during the call.
    func queryRange(from: [UInt8]?, to: [UInt8]?, reverse: Bool) throws -> [(key: [UInt8], value: [UInt8])]
    func approximateNumEntries() throws -> Int
    /// Deletes every entry: for a store whose local state cannot be trusted.
    func removeAll() throws
    func flush() throws
    func close() throws
}

extension KeyValueBytesStore {
    /// Stores whose own range reads are safe from any thread need nothing else.
    func queryRange(from: [UInt8]?, to: [UInt8]?, reverse: Bool) throws -> [(key: [UInt8], value: [UInt8])] {
        try range(from: from, to: to, reverse: reverse)
    }

    /// Every key that starts with `prefix`, ascending.
    func prefixScan(_ prefix: [UInt8]) throws -> [(key: [UInt8], value: [UInt8])] {
        let entries = try range(from: prefix, to: ByteOrder.prefixUpperBound(prefix), reverse: false)
        return entries.filter { $0.key.starts(with: prefix) }
    }

    /// ``prefixScan(_:)`` for interactive queries (see ``queryRange(from:to:reverse:)``).
    func queryPrefixScan(_ prefix: [UInt8]) throws -> [(key: [UInt8], value: [UInt8])] {
        let entries = try queryRange(from: prefix, to: ByteOrder.prefixUpperBound(prefix), reverse: false)
        return entries.filter { $0.key.starts(with: prefix) }
    }
}

/// Unsigned lexicographic byte order helpers.
enum ByteOrder {
    /// The largest key that still starts with `prefix` is below this bound... except that keys
    /// longer than the bound may exceed it, so callers filter by prefix as well. `nil` when every
    /// byte is 0xFF (no finite bound exists).
    static func prefixUpperBound(_ prefix: [UInt8]) -> [UInt8]? {
        var bound = prefix
        while let last = bound.last {
            if last < 0xFF {
                bound[bound.count - 1] = last + 1
                return bound
            }
            bound.removeLast()
        }
        return nil
    }
}
