#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The slots of a read cache in front of one RocksDB store (``ReadCachingKeyValueBytesStore``,
/// ``ReadCachingSegmentedBytesStore``): recent reads and writes, used only by the thread that
/// processes the store's task.
///
/// Four-way set-associative: a key's hash picks a set of four slots, and a key that is not there
/// takes an empty one or else the one used least recently. (Two-way sets, until session 13, kept
/// missing in the sets that three or more of a store's keys share: a join task of 1,700 keys
/// missed ~10% of its reads at 4,096 slots and ~3% at 8,192; four-way sets miss ~1% and ~0.1%.)
/// Slots also remember keys known to be absent. All slots live
/// in one table allocated at the first access (``slotCount`` × ``slotBytes``, taken from the
/// thread's ``ReadCacheBudget``; a store whose table does not fit is read directly). Entries are
/// copied into the table, never kept as separate allocations: thousands of small long-lived
/// arrays spread over the heap would keep the memory RocksDB frees after each memtable flush from
/// being reused (the 1M-key memory check grew by 70 MiB that way). An entry larger than a slot is
/// not cached.
///
/// A table starts at ``minimumSlotCount`` slots and doubles, entries kept, up to
/// ``maximumSlotCount``, while the store's reads miss and its keys keep evicting each other (more
/// than one access in 64): a thread with many tasks, each with a small store, then caches all of
/// them instead of spending the budget on the first stores' full-size tables and reading the
/// others' from RocksDB.
final class ReadCacheTable {
    /// Slots a set has.
    static let ways = 4
    /// Slots of a new table, and of the largest: powers of two, ``ways`` per set.
    static let minimumSlotCount = 256
    /// 4 MiB a store, half the default budget of a thread: a few large stores may use the
    /// budget (at 2,048 slots a task's table of 2,500 rows missed ~77% of its lookups, each
    /// ~10,000 instructions in RocksDB), while growth only on misses keeps small stores small.
    static let maximumSlotCount = 32768
    /// Bytes of key and value one slot holds.
    static let slotBytes = 128
    static var minimumTableBytes: Int { minimumSlotCount * slotBytes }

    // The mutable state below is unchecked for exclusive access: only the processing thread
    // touches it, and no access spans a call out of this table (the read a lookup falls back to
    // does not touch it). Checked, each lookup paid ~5 dynamic checks (~85 instructions), ~3% of
    // a stream-table join's thread.

    /// Slots of the current table; 0 before the first access and without a table.
    @exclusivity(unchecked) private(set) var slotCount = 0
    private var tableBytes: Int { slotCount * Self.slotBytes }
    /// Lookups and writes, and entries pushed out of a full set by them, since the table was made.
    @exclusivity(unchecked) private var accessesSinceResize = 0
    @exclusivity(unchecked) private var evictionsSinceResize = 0

    private enum SlotState: UInt8 {
        case empty, present, absent
    }

    private let budget: ReadCacheBudget
    /// `nil` until the first access, and when the budget could not afford it.
    @exclusivity(unchecked) private var table: UnsafeMutableRawPointer?
    @exclusivity(unchecked) private var triedToAllocate = false
    @exclusivity(unchecked) private var states: [SlotState] = []
    @exclusivity(unchecked) private var keyLengths: [UInt8] = []
    @exclusivity(unchecked) private var valueLengths: [UInt8] = []
    /// Per slot: the ``clock`` of its last use, for the choice of a victim in its set.
    @exclusivity(unchecked) private var lastUse: [UInt32] = []
    /// Counts accesses (wrapping: a wrap costs a few choices of victim, never a wrong answer).
    @exclusivity(unchecked) private var clock: UInt32 = 0
    /// Lookups answered by the cache and by the store, for tests and metrics.
    @exclusivity(unchecked) private(set) var hits = 0
    @exclusivity(unchecked) private(set) var misses = 0

    init(budget: ReadCacheBudget) {
        self.budget = budget
    }

    deinit { release() }

    /// The value of `key` (`nil`: absent) from the table, else from `read`, whose answer the
    /// table then remembers.
    @inline(__always)
    func value(of key: [UInt8], orRead read: ([UInt8]) throws -> [UInt8]?) rethrows -> [UInt8]? {
        guard let table = tableIfAffordable() else { return try read(key) }
        accessesSinceResize += 1
        clock &+= 1
        let set = setIndex(of: key)
        if let index = slot(holding: key, in: set, table: table) {
            hits += 1
            guard states[index] == .present else { return nil }
            let start = table + index * Self.slotBytes + key.count
            return Array(UnsafeRawBufferPointer(start: start, count: Int(valueLengths[index])))
        }
        misses += 1
        let value = try read(key)
        remember(key, value, at: victim(in: set), in: table)
        growIfThrashing()
        return value
    }

    /// Makes the table hold `key` → `value` (`nil`: known absent), as the store now does.
    func remember(_ key: [UInt8], _ value: [UInt8]?) {
        guard let table = tableIfAffordable() else { return }
        accessesSinceResize += 1
        clock &+= 1
        let set = setIndex(of: key)
        remember(key, value, at: slot(holding: key, in: set, table: table) ?? victim(in: set), in: table)
    }

    /// Empties every slot, keeping the table.
    func forgetAll() {
        for index in states.indices { states[index] = .empty }
    }

    /// Frees the table and gives its bytes back to the budget.
    func release() {
        guard let table else { return }
        table.deallocate()
        self.table = nil
        budget.giveBack(tableBytes)
        slotCount = 0
        states = []
    }

    // MARK: - Slots

    private func tableIfAffordable() -> UnsafeMutableRawPointer? {
        if let table { return table }
        guard !triedToAllocate else { return nil }
        triedToAllocate = true
        guard budget.take(Self.minimumTableBytes) else { return nil }
        return makeTable(slots: Self.minimumSlotCount)
    }

    /// A new, empty table of `slots` slots, its bytes already taken from the budget.
    private func makeTable(slots: Int) -> UnsafeMutableRawPointer {
        let made = UnsafeMutableRawPointer.allocate(byteCount: slots * Self.slotBytes, alignment: 16)
        table = made
        slotCount = slots
        states = Array(repeating: .empty, count: slots)
        lastUse = Array(repeating: 0, count: slots)
        keyLengths = Array(repeating: 0, count: slots)
        valueLengths = Array(repeating: 0, count: slots)
        accessesSinceResize = 0
        evictionsSinceResize = 0
        return made
    }

    /// After a lookup that missed, every `slotCount / 2` accesses: doubles the table, keeping its
    /// entries, when more than one access in 64 evicted an entry and the budget has the
    /// difference. (One in eight left a store of ~600 keys at 1,024 slots with ~8% misses, where the
    /// fixed 2,048 slots before had ~1%; one in 32 stopped a four-way table of 2,500 keys read in
    /// a cycle at ~3% misses, each ~50 times the cost of a hit. Checked every `2 × slotCount`
    /// accesses, a join task reading its 1,700 keys in a cycle missed ~9,500 times while its table
    /// grew; every `slotCount / 2`, ~4,400.) Only misses grow it: a store that is only written
    /// gains nothing from a larger one.
    private func growIfThrashing() {
        guard accessesSinceResize >= slotCount / 2 else { return }
        let thrashing = evictionsSinceResize * 64 > accessesSinceResize
        accessesSinceResize = 0
        evictionsSinceResize = 0
        guard thrashing, slotCount < Self.maximumSlotCount, let old = table else { return }
        let slots = slotCount * 2
        guard budget.take((slots - slotCount) * Self.slotBytes) else { return }
        let (oldSlots, oldStates, oldKeyLengths, oldValueLengths, oldLastUse) = (slotCount, states, keyLengths, valueLengths, lastUse)
        let table = makeTable(slots: slots)
        // The entries move over: emptied instead, a table growing from 256 to 2,048 slots missed
        // ~10% of a 36,000-lookup join task's reads. A set's keys take one more bit of their
        // mixed hash (``set(ofHash:sets:)``), so each old set splits into two new ones and no
        // entry is pushed out.
        for index in 0..<oldSlots where oldStates[index] != .empty {
            let entry = old + index * Self.slotBytes
            let keyCount = Int(oldKeyLengths[index])
            let hash = Murmur2.hash(UnsafeRawBufferPointer(start: entry, count: keyCount))
            let target = victim(in: Self.set(ofHash: hash, sets: slots / Self.ways))
            (table + target * Self.slotBytes).copyMemory(from: entry, byteCount: keyCount + Int(oldValueLengths[index]))
            keyLengths[target] = oldKeyLengths[index]
            valueLengths[target] = oldValueLengths[index]
            states[target] = oldStates[index]
            lastUse[target] = oldLastUse[index]
        }
        old.deallocate()
    }

    @inline(__always)
    private func setIndex(of key: [UInt8]) -> Int {
        Self.set(ofHash: key.withUnsafeBytes { Murmur2.hash($0) }, sets: slotCount / Self.ways)
    }

    /// The set of a key with this murmur2 hash among `sets` (a power of two): the high bits of the
    /// hash times an odd constant (Fibonacci hashing), which depend on every bit of the hash.
    ///
    /// Not the hash's low bits: the keys of a task share `murmur2 % partitions` (the producer's
    /// partitioner put them there), so with an even partition count they share low bits too and
    /// would use a fraction of the sets: a quarter with 28 partitions, where a cyclic read of 400
    /// keys of one task missed 196 times a round.
    @inline(__always)
    static func set(ofHash hash: Int32, sets: Int) -> Int {
        let mixed = UInt32(bitPattern: hash) &* 0x9E37_79B1
        return Int(truncatingIfNeeded: mixed >> UInt32(32 - sets.trailingZeroBitCount))
    }

    /// The slot of `set` holding `key`, marked as used last.
    @inline(__always)
    private func slot(holding key: [UInt8], in set: Int, table: UnsafeMutableRawPointer) -> Int? {
        for index in set * Self.ways..<(set + 1) * Self.ways {
            guard states[index] != .empty, Int(keyLengths[index]) == key.count else { continue }
            let equal = key.withUnsafeBytes { bytes in
                bytes.isEmpty || memcmp(table + index * Self.slotBytes, bytes.baseAddress!, bytes.count) == 0
            }
            if equal {
                lastUse[index] = clock
                return index
            }
        }
        return nil
    }

    /// The slot of `set` a new key takes, marked as used last: an empty one, else the one used
    /// least recently.
    @inline(__always)
    private func victim(in set: Int) -> Int {
        let first = set * Self.ways
        var chosen = first
        if states[first] != .empty {
            for index in first + 1..<first + Self.ways {
                if states[index] == .empty {
                    chosen = index
                    break
                }
                // Ages, not raw clocks: a clock that wrapped still compares right.
                if clock &- lastUse[index] > clock &- lastUse[chosen] { chosen = index }
            }
            if states[chosen] != .empty { evictionsSinceResize += 1 }
        }
        lastUse[chosen] = clock
        return chosen
    }

    /// Makes the slot hold `key` → `value` (`nil`: known absent), or empties it when they do
    /// not fit in a slot.
    private func remember(_ key: [UInt8], _ value: [UInt8]?, at index: Int, in table: UnsafeMutableRawPointer) {
        let valueCount = value?.count ?? 0
        guard key.count + valueCount <= Self.slotBytes else {
            states[index] = .empty
            return
        }
        let slot = table + index * Self.slotBytes
        key.withUnsafeBytes { bytes in
            if let base = bytes.baseAddress { slot.copyMemory(from: base, byteCount: bytes.count) }
        }
        value?.withUnsafeBytes { bytes in
            if let base = bytes.baseAddress { (slot + key.count).copyMemory(from: base, byteCount: bytes.count) }
        }
        keyLengths[index] = UInt8(key.count)
        valueLengths[index] = UInt8(valueCount)
        states[index] = value == nil ? .absent : .present
    }
}
