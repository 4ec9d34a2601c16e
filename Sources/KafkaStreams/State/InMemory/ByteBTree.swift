#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An ordered map from byte keys to byte values: the data structure behind the
/// in-memory key-value store.
///
/// Keys are ordered by unsigned lexicographic byte order, a proper prefix sorting
/// first (`[0x01] < [0x01, 0x00] < [0x02]`, `[0x7F] < [0x80] < [0xFF]`); this is the
/// order of Java's `Bytes` comparator and of RocksDB's default comparator.
///
/// It is a B+tree: entries live in the leaves, internal nodes hold separator keys
/// (a separator is `>` every key of the subtree on its left and `<=` every key of the
/// subtree on its right; it need not be a key that is still present). Every node but
/// the root holds between `nodeCapacity / 2` and `nodeCapacity` keys; deletion borrows
/// from or merges with a sibling, so the tree stays balanced and `O(log n)`.
///
/// Each stored key carries its first eight bytes as a big-endian `UInt64`, so most
/// comparisons during a descent are a single integer comparison and never touch the
/// key's heap buffer; equal prefixes fall back to `memcmp` plus a length tiebreak.
///
/// ## Value semantics (copy-on-write)
///
/// `ByteBTree` is a struct with copy-on-write, like `Array`: copying it is `O(1)`, and
/// a mutation copies only the nodes on its root-to-leaf path that are shared with
/// another copy (each mutating descent checks `isKnownUniquelyReferenced` on every
/// node it is about to change). A copy is therefore a cheap, immutable snapshot:
/// `forEach` and ``Iterator`` read from the snapshot taken when they start, so the
/// tree may be changed while they run without disturbing them. Nodes are never
/// mutated while shared. The tree is not `Sendable`: it lives behind the store's lock.
internal struct ByteBTree {
    /// The default maximum number of keys per node, picked by benchmark (1M random
    /// 16-byte keys, 100-byte values): 64 to 256 are within noise of one another for
    /// put, get and range scans, 32 is ~15% slower, and the path copy made by the
    /// first mutation after a snapshot grows with the capacity (~8 µs at 64, ~19 µs
    /// at 128).
    static let defaultNodeCapacity = 64

    /// The root: a leaf while the tree holds at most `nodeCapacity` entries.
    private(set) var root: Node
    /// The number of entries.
    private(set) var count: Int
    /// The maximum number of keys in a node; nodes other than the root hold at
    /// least `nodeCapacity / 2`.
    let nodeCapacity: Int

    init() {
        self.init(nodeCapacity: Self.defaultNodeCapacity)
    }

    /// A tree whose nodes hold at most `nodeCapacity` keys (at least 3). Small
    /// capacities are for tests: they make deep trees out of few entries.
    init(nodeCapacity: Int) {
        precondition(nodeCapacity >= 3, "a B-tree node needs room for at least 3 keys")
        self.nodeCapacity = nodeCapacity
        self.root = Node(isLeaf: true, capacity: nodeCapacity)
        self.count = 0
    }

    var isEmpty: Bool { count == 0 }

    /// The minimum number of keys in a node other than the root.
    var minKeys: Int { nodeCapacity / 2 }
}



// MARK: - Byte order

extension ByteBTree {
    /// Compares two byte strings in unsigned lexicographic order, a proper prefix
    /// sorting first. Returns a negative number, zero, or a positive number.
    @inline(__always)
    static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let common = Swift.min(a.count, b.count)
        if common > 0 {
            let c = memcmp(a.baseAddress!, b.baseAddress!, common)
            if c != 0 { return Int(c) }
        }
        return a.count - b.count
    }

    /// Compares two byte arrays in unsigned lexicographic order, a proper prefix
    /// sorting first. Returns a negative number, zero, or a positive number.
    @inline(__always)
    static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a.withUnsafeBytes { a in b.withUnsafeBytes { b in compare(a, b) } }
    }

    /// The first eight bytes as a big-endian integer, zero-padded. Two keys whose
    /// prefixes differ compare as their prefixes do (a shorter key pads with zeros,
    /// and a proper prefix sorts first); only equal prefixes need a full comparison.
    @inline(__always)
    static func prefix(of bytes: UnsafeRawBufferPointer) -> UInt64 {
        if bytes.count >= 8 {
            return UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self))
        }
        var p: UInt64 = 0
        var shift: UInt64 = 56
        for byte in bytes {
            p |= UInt64(byte) << shift
            shift &-= 8
        }
        return p
    }

    /// A key as stored in a node: its bytes, their cached prefix and their count. With the count
    /// in the node, keys of at most eight bytes (and keys whose prefixes differ) compare without
    /// reading the key's heap buffer, a cache miss on most lookups' last comparison.
    struct StoredKey {
        let prefix: UInt64
        let count: Int
        let bytes: [UInt8]

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
            self.count = bytes.count
            self.prefix = bytes.withUnsafeBytes { ByteBTree.prefix(of: $0) }
        }

        init(_ bytes: [UInt8], prefix: UInt64) {
            self.bytes = bytes
            self.count = bytes.count
            self.prefix = prefix
        }
    }

    /// A key being looked for: borrowed bytes, valid only during the lookup.
    struct Probe {
        let prefix: UInt64
        let bytes: UnsafeRawBufferPointer

        @inline(__always)
        init(_ bytes: UnsafeRawBufferPointer) {
            self.bytes = bytes
            self.prefix = ByteBTree.prefix(of: bytes)
        }
    }
}

// MARK: - Lookup and mutation

extension ByteBTree {
    /// The value stored under `key`, or `nil`.
    func get(_ key: [UInt8]) -> [UInt8]? {
        key.withUnsafeBytes { get($0) }
    }

    /// The value stored under the key whose bytes are `key`, or `nil`. Looks up
    /// without allocating a key array.
    func get(_ key: UnsafeRawBufferPointer) -> [UInt8]? {
        let probe = Probe(key)
        // `self` keeps every node alive and unchanged for the duration of the call, so the
        // descent borrows them: children are loaded as `Unmanaged` (a plain `Node` load is a
        // retain and a release per level, ~3% of the in-memory word count).
        return withExtendedLifetime(root) {
            var node = Unmanaged.passUnretained(root)
            while !node._withUnsafeGuaranteedRef({ $0.isLeaf }) {
                node = node._withUnsafeGuaranteedRef { parent in
                    UnsafeRawPointer(parent.children).load(
                        fromByteOffset: parent.childIndex(probe) &* MemoryLayout<Node>.stride, as: Unmanaged<Node>.self)
                }
            }
            return node._withUnsafeGuaranteedRef { leaf in
                let (index, found) = leaf.search(probe)
                return found ? leaf.values[index] : nil
            }
        }
    }

    /// Whether `key` is present.
    func contains(_ key: [UInt8]) -> Bool {
        get(key) != nil
    }

    /// Stores `value` under `key`, returning the value it replaces, if any.
    @discardableResult
    mutating func put(_ key: [UInt8], _ value: [UInt8]) -> [UInt8]? {
        store(key, value, inPlace: false).old
    }

    /// Stores `value` under `key` like ``put(_:_:)``, without returning the old value: an
    /// existing value's buffer, when not shared and large enough, is overwritten in place, so
    /// neither it nor `value`'s buffer changes hands (the caller may reuse `value`'s buffer
    /// without it being reallocated, and nothing is freed).
    mutating func set(_ key: [UInt8], _ value: [UInt8]) {
        store(key, value, inPlace: true)
    }

    /// ``set(_:_:)``, returning the byte count of the value it replaced, or `nil` when `key` is new.
    @discardableResult
    mutating func setReturningReplacedCount(_ key: [UInt8], _ value: [UInt8]) -> Int? {
        let (_, inserted, replacedCount) = store(key, value, inPlace: true)
        return inserted ? nil : replacedCount
    }

    @discardableResult
    private mutating func store(
        _ key: [UInt8], _ value: [UInt8], inPlace: Bool
    ) -> (old: [UInt8]?, inserted: Bool, replacedCount: Int) {
        if !isKnownUniquelyReferenced(&root) {
            root = root.copy()
        }
        let root = self.root
        let (old, inserted, replacedCount, split) = key.withUnsafeBytes { bytes in
            Self.insert(key, Probe(bytes), value, into: root, inPlace: inPlace)
        }
        if let split {
            self.root = Node(
                capacity: nodeCapacity, left: root, separator: split.separator, right: split.right)
        }
        if inserted { count += 1 }
        return (old, inserted, replacedCount)
    }

    /// Inserts into the subtree at `node` (already unique), returning the replaced value (none
    /// when overwritten `inPlace`) and its byte count, whether the key is new and, if `node`
    /// overflowed, the separator and new right sibling to add to its parent.
    private static func insert(
        _ key: [UInt8], _ probe: Probe, _ value: [UInt8], into node: Node, inPlace: Bool
    ) -> (old: [UInt8]?, inserted: Bool, replacedCount: Int, split: (separator: StoredKey, right: Node)?) {
        let (index, found) = node.search(probe)
        if node.isLeaf {
            if found {
                let slot = node.values + index
                let replacedCount = slot.pointee.count
                if inPlace {
                    if slot.pointee.capacity >= value.count {
                        // Copies into the existing buffer (a new one only if it is shared).
                        slot.pointee.replaceSubrange(0..<slot.pointee.count, with: value)
                    } else {
                        slot.pointee = value
                    }
                    return (nil, false, replacedCount, nil)
                }
                let old = slot.move()
                slot.initialize(to: value)
                return (old, false, replacedCount, nil)
            }
            node.insertEntry(StoredKey(key, prefix: probe.prefix), value, at: index)
            return (nil, true, 0, node.count > node.capacity ? node.split() : nil)
        }
        let c = found ? index + 1 : index
        let child = node.uniqueChild(c)
        let (old, inserted, replacedCount, childSplit) = insert(key, probe, value, into: child, inPlace: inPlace)
        guard let childSplit else { return (old, inserted, replacedCount, nil) }
        node.insertSeparator(childSplit.separator, at: c, child: childSplit.right, at: c + 1)
        return (old, inserted, replacedCount, node.count > node.capacity ? node.split() : nil)
    }

    /// Removes `key`, returning its value, if it was present.
    @discardableResult
    mutating func remove(_ key: [UInt8]) -> [UInt8]? {
        if !isKnownUniquelyReferenced(&root) {
            root = root.copy()
        }
        let minKeys = self.minKeys
        let root = self.root
        let old = key.withUnsafeBytes { bytes in
            Self.delete(Probe(bytes), from: root, minKeys: minKeys)
        }
        guard let old else { return nil }
        count -= 1
        if !root.isLeaf && root.count == 0 {
            self.root = root.children[0]
        }
        return old
    }

    /// Deletes from the subtree at `node` (already unique), rebalancing any child
    /// left with too few keys. `node` itself may be left one key short: its parent
    /// fixes that.
    private static func delete(_ probe: Probe, from node: Node, minKeys: Int) -> [UInt8]? {
        let (index, found) = node.search(probe)
        if node.isLeaf {
            guard found else { return nil }
            return node.removeEntry(at: index).value
        }
        let c = found ? index + 1 : index
        let child = node.uniqueChild(c)
        guard let old = delete(probe, from: child, minKeys: minKeys) else { return nil }
        if child.count < minKeys {
            node.rebalance(childAt: c, minKeys: minKeys)
        }
        return old
    }

    /// Removes every entry.
    mutating func removeAll() {
        root = Node(isLeaf: true, capacity: nodeCapacity)
        count = 0
    }
}
