import Testing

@testable import KafkaStreams

/// SplitMix64: a small, seeded, deterministic generator for the randomized tests.
private struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private func keys(_ entries: [(key: [UInt8], value: [UInt8])]) -> [[UInt8]] {
    entries.map(\.key)
}

/// Unsigned lexicographic order with a proper prefix first, written independently
/// of `ByteBTree.compare`.
private func lexicographicallyPrecedes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    a.lexicographicallyPrecedes(b)
}

/// Collects a range through the lazy iterator.
private func iterate(
    _ tree: ByteBTree, from: [UInt8]?, to: [UInt8]?, toInclusive: Bool, reverse: Bool
) -> [(key: [UInt8], value: [UInt8])] {
    var iterator = tree.makeIterator(from: from, to: to, toInclusive: toInclusive, reverse: reverse)
    var result: [(key: [UInt8], value: [UInt8])] = []
    while let entry = iterator.next() { result.append(entry) }
    return result
}

@Suite("ByteBTree")
struct ByteBTreeTests {
    @Test func compareIsUnsignedLexicographicWithShorterPrefixFirst() {
        let ordered: [[UInt8]] = [
            [], [0x00], [0x00, 0x00], [0x01], [0x01, 0x00], [0x01, 0x00, 0x00], [0x01, 0xFF],
            [0x02], [0x7F], [0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], [0x80],
            [0x80, 0, 0, 0, 0, 0, 0, 0], [0x80, 0, 0, 0, 0, 0, 0, 0, 0], [0x80, 0, 0, 0, 0, 0, 0, 1],
            [0xFE, 0xFF], [0xFF], [0xFF, 0x00], [0xFF, 0xFF],
            [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00],
        ]
        for (i, a) in ordered.enumerated() {
            for (j, b) in ordered.enumerated() {
                let c = ByteBTree.compare(a, b)
                #expect((c < 0) == (i < j) && (c == 0) == (i == j), "compare(\(a), \(b)) = \(c)")
            }
        }
    }

    @Test func putGetOverwriteRemove() {
        var tree = ByteBTree()
        #expect(tree.count == 0)
        #expect(tree.isEmpty)
        #expect(tree.get([1]) == nil)
        #expect(tree.first == nil && tree.last == nil)

        #expect(tree.put([1], [10]) == nil)
        #expect(tree.put([2], [20]) == nil)
        #expect(tree.put([], [0]) == nil)
        #expect(tree.count == 3)
        #expect(tree.get([1]) == [10])
        #expect(tree.get([2]) == [20])
        #expect(tree.get([]) == [0])
        #expect(tree.get([3]) == nil)
        #expect(tree.get([1, 0]) == nil)

        #expect(tree.put([1], [11, 11]) == [10])
        #expect(tree.count == 3)
        #expect(tree.get([1]) == [11, 11])
        #expect(tree.put([2], []) == [20])
        #expect(tree.get([2]) == [])

        #expect(tree.remove([1]) == [11, 11])
        #expect(tree.remove([1]) == nil)
        #expect(tree.remove([9]) == nil)
        #expect(tree.count == 2)
        #expect(tree.get([1]) == nil)
        #expect(tree.contains([2]))

        tree.removeAll()
        #expect(tree.count == 0)
        #expect(tree.get([2]) == nil)
        #expect(tree.entries().isEmpty)
        #expect(tree.invariantViolation() == nil)
    }

    /// `set` overwrites in place when it can, without disturbing values a reader or a snapshot
    /// still holds.
    @Test func setOverwritesWithoutChangingHeldValues() {
        var tree = ByteBTree(nodeCapacity: 4)
        for key: UInt8 in 0..<50 { tree.set([key], [key, key, key]) }
        #expect(tree.count == 50)
        let held = tree.get([7])  // a reader's copy shares the stored buffer
        let snapshot = tree  // a snapshot shares the nodes
        var buffer: [UInt8] = [1, 2]
        tree.set([7], buffer)  // smaller: copied into the stored buffer (a new one, as it is shared)
        buffer[0] = 99  // the caller reuses its buffer: the tree must not see it
        #expect(tree.get([7]) == [1, 2])
        #expect(held == [7, 7, 7])
        #expect(snapshot.get([7]) == [7, 7, 7])
        tree.set([7], [5, 5, 5, 5, 5])  // larger than the stored buffer
        #expect(tree.get([7]) == [5, 5, 5, 5, 5])
        tree.set([200], [])  // a new key
        #expect(tree.count == 51)
        #expect(tree.get([200]) == [])
        #expect(snapshot.count == 50)
        #expect(tree.invariantViolation() == nil)
        #expect(snapshot.invariantViolation() == nil)
    }

    @Test func setReportsTheReplacedValuesSize() {
        var tree = ByteBTree(nodeCapacity: 4)
        for key: UInt8 in 0..<20 { #expect(tree.setReturningReplacedCount([key], [key]) == nil) }
        #expect(tree.setReturningReplacedCount([9], [1, 2, 3]) == 1)
        #expect(tree.setReturningReplacedCount([9], []) == 3)
        #expect(tree.get([9]) == [])
        #expect(tree.count == 20)
        #expect(tree.invariantViolation() == nil)
    }

    @Test func getWithRawBuffer() {
        var tree = ByteBTree(nodeCapacity: 4)
        for i in 0..<200 { tree.put([UInt8(i), 0xAB, UInt8(255 - i)], [UInt8(i)]) }
        for i in 0..<200 {
            let key: [UInt8] = [UInt8(i), 0xAB, UInt8(255 - i)]
            #expect(key.withUnsafeBytes { tree.get($0) } == [UInt8(i)])
        }
        let missing: [UInt8] = [5, 0xAB]
        #expect(missing.withUnsafeBytes { tree.get($0) } == nil)
        #expect(tree.get(UnsafeRawBufferPointer(start: nil, count: 0)) == nil)
        tree.put([], [42])
        #expect(tree.get(UnsafeRawBufferPointer(start: nil, count: 0)) == [42])
    }

    @Test(arguments: [4, ByteBTree.defaultNodeCapacity])
    func orderingOfSignBytesAndPrefixes(capacity: Int) {
        let ordered: [[UInt8]] = [
            [], [0x00], [0x00, 0x00], [0x00, 0x01], [0x01], [0x01, 0x00], [0x01, 0x00, 0x00],
            [0x01, 0x7F], [0x01, 0x80], [0x01, 0xFF], [0x02], [0x7F], [0x7F, 0x00], [0x7F, 0xFF],
            [0x80], [0x80, 0x00], [0x80, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07],
            [0x80, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x00],
            [0x80, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x08], [0xFE], [0xFF], [0xFF, 0x00],
            [0xFF, 0x7F], [0xFF, 0x80], [0xFF, 0xFF], [0xFF, 0xFF, 0xFF],
        ]
        var tree = ByteBTree(nodeCapacity: capacity)
        var rng = SplitMix64(seed: 7)
        for key in ordered.shuffled(using: &rng) { tree.put(key, key) }
        #expect(tree.invariantViolation() == nil)
        #expect(keys(tree.entries()) == ordered)
        #expect(keys(tree.entries(reverse: true)) == ordered.reversed())
        #expect(keys(iterate(tree, from: nil, to: nil, toInclusive: false, reverse: false)) == ordered)
        #expect(keys(iterate(tree, from: nil, to: nil, toInclusive: false, reverse: true)) == ordered.reversed())
        #expect(tree.first?.key == [])
        #expect(tree.last?.key == [0xFF, 0xFF, 0xFF])
        #expect(
            keys(tree.entries(from: [0x7F], to: [0x80], toInclusive: true))
                == [[0x7F], [0x7F, 0x00], [0x7F, 0xFF], [0x80]])
        #expect(
            keys(tree.entries(from: [0x7F], to: [0x80], toInclusive: false))
                == [[0x7F], [0x7F, 0x00], [0x7F, 0xFF]])
        #expect(
            keys(tree.entries(from: [0x01], to: [0x01, 0x00, 0x00], toInclusive: false, reverse: true))
                == [[0x01, 0x00], [0x01]])
    }

    @Test func rangeWithFromAboveToYieldsNothing() {
        var tree = ByteBTree(nodeCapacity: 4)
        for i in 0..<100 { tree.put([UInt8(i)], [UInt8(i)]) }
        for reverse in [false, true] {
            for inclusive in [false, true] {
                #expect(tree.entries(from: [50], to: [40], toInclusive: inclusive, reverse: reverse).isEmpty)
                #expect(iterate(tree, from: [50], to: [40], toInclusive: inclusive, reverse: reverse).isEmpty)
                #expect(tree.entries(from: [50, 0], to: [50], toInclusive: inclusive, reverse: reverse).isEmpty)
            }
            // An empty exclusive range, and a single-key inclusive one.
            #expect(tree.entries(from: [50], to: [50], toInclusive: false, reverse: reverse).isEmpty)
            #expect(iterate(tree, from: [50], to: [50], toInclusive: false, reverse: reverse).isEmpty)
            #expect(keys(tree.entries(from: [50], to: [50], toInclusive: true, reverse: reverse)) == [[50]])
            #expect(keys(iterate(tree, from: [50], to: [50], toInclusive: true, reverse: reverse)) == [[50]])
            // Bounds beyond either end.
            #expect(tree.entries(from: [200], to: nil, toInclusive: false, reverse: reverse).isEmpty)
            #expect(tree.entries(from: nil, to: [], toInclusive: false, reverse: reverse).isEmpty)
        }
    }

    @Test func forEachStopsWhenBodyReturnsFalse() {
        var tree = ByteBTree(nodeCapacity: 4)
        for i in 0..<100 { tree.put([UInt8(i)], []) }
        for reverse in [false, true] {
            var seen: [[UInt8]] = []
            tree.forEach(from: [10], to: [90], toInclusive: true, reverse: reverse) { key, _ in
                seen.append(key)
                return seen.count < 5
            }
            #expect(seen == (reverse ? (86...90).reversed() : Array(10...14)).map { [UInt8($0)] })
        }
    }

    @Test func forEachRethrows() {
        struct Stop: Error {}
        var tree = ByteBTree(nodeCapacity: 4)
        for i in 0..<50 { tree.put([UInt8(i)], []) }
        var visited = 0
        #expect(throws: Stop.self) {
            try tree.forEach(from: nil, to: nil, toInclusive: false, reverse: false) { _, _ in
                visited += 1
                if visited == 20 { throw Stop() }
                return true
            }
        }
        #expect(visited == 20)
    }

    @Test(arguments: [4, ByteBTree.defaultNodeCapacity])
    func prefixScan(capacity: Int) {
        var tree = ByteBTree(nodeCapacity: capacity)
        let all: [[UInt8]] = [
            [], [0x00], [0x01], [0x01, 0x00], [0x01, 0x02], [0x01, 0xFF], [0x01, 0xFF, 0xFF], [0x02],
            [0xFE, 0xFF], [0xFF], [0xFF, 0x00], [0xFF, 0xFE], [0xFF, 0xFF], [0xFF, 0xFF, 0x00],
            [0xFF, 0xFF, 0xFF], [0xFF, 0xFF, 0xFF, 0x12],
        ]
        for key in all.reversed() { tree.put(key, [0]) }
        // Filler so that the scans cross nodes.
        for i in 0..<64 { tree.put([0x01, 0x10, UInt8(i)], [1]) }
        #expect(tree.invariantViolation() == nil)

        func scan(_ prefix: [UInt8], reverse: Bool = false) -> [[UInt8]] {
            var result: [[UInt8]] = []
            tree.forEach(prefix: prefix, reverse: reverse) { key, _ in
                result.append(key)
                return true
            }
            return result
        }
        func expected(_ prefix: [UInt8]) -> [[UInt8]] {
            keys(tree.entries()).filter { $0.starts(with: prefix) }
        }
        for prefix: [UInt8] in [[], [0x00], [0x01], [0x01, 0xFF], [0x02], [0x03], [0xFE], [0xFF], [0xFF, 0xFF], [0xFF, 0xFF, 0xFF]] {
            #expect(scan(prefix) == expected(prefix), "prefix \(prefix)")
            #expect(scan(prefix, reverse: true) == expected(prefix).reversed(), "prefix \(prefix)")
        }
        #expect(scan([0xFF, 0xFF]) == [[0xFF, 0xFF], [0xFF, 0xFF, 0x00], [0xFF, 0xFF, 0xFF], [0xFF, 0xFF, 0xFF, 0x12]])
        #expect(scan([0x01]).count == 5 + 64)
        #expect(scan([]).count == tree.count)

        #expect(ByteBTree.prefixUpperBound([0x01, 0xFF]) == [0x02])
        #expect(ByteBTree.prefixUpperBound([0x01, 0x02]) == [0x01, 0x03])
        #expect(ByteBTree.prefixUpperBound([0xFF, 0xFF]) == nil)
        #expect(ByteBTree.prefixUpperBound([]) == nil)
    }

    @Test func removingEverythingLeavesAnEmptyTree() {
        for capacity in [3, 4, 5, 16, ByteBTree.defaultNodeCapacity] {
            var tree = ByteBTree(nodeCapacity: capacity)
            var rng = SplitMix64(seed: UInt64(capacity))
            let all = (0..<3000).map { i in [UInt8(i >> 8), UInt8(i & 0xFF)] }
            for key in all.shuffled(using: &rng) { tree.put(key, key) }
            #expect(tree.count == 3000)
            #expect(tree.invariantViolation() == nil)
            #expect(tree.height > (capacity <= 16 ? 3 : 1))
            for (i, key) in all.shuffled(using: &rng).enumerated() {
                #expect(tree.remove(key) == key)
                if i % 250 == 0 { #expect(tree.invariantViolation() == nil) }
            }
            #expect(tree.count == 0)
            #expect(tree.height == 1)
            #expect(tree.invariantViolation() == nil)
            #expect(tree.entries().isEmpty)
            #expect(iterate(tree, from: nil, to: nil, toInclusive: false, reverse: true).isEmpty)
            #expect(tree.first == nil && tree.last == nil)
            // And it is usable again.
            tree.put([1], [1])
            #expect(keys(tree.entries()) == [[1]])
        }
    }

    @Test func copiesAreIndependentSnapshots() {
        var tree = ByteBTree(nodeCapacity: 4)
        for i in 0..<500 { tree.put([UInt8(i >> 8), UInt8(i & 0xFF)], [1]) }
        let snapshot = tree
        var iterator = tree.makeIterator()
        for i in 0..<500 where i % 3 == 0 { tree.remove([UInt8(i >> 8), UInt8(i & 0xFF)]) }
        for i in 0..<100 { tree.put([0x05, UInt8(i)], [2]) }
        tree.put([0, 1], [3])
        #expect(snapshot.count == 500)
        #expect(snapshot.invariantViolation() == nil)
        #expect(tree.invariantViolation() == nil)
        #expect(snapshot.get([0, 1]) == [1])
        #expect(tree.get([0, 1]) == [3])
        #expect(snapshot.entries().allSatisfy { $0.value == [1] })
        var fromIterator = 0
        while let entry = iterator.next() {
            #expect(entry.value == [1])
            fromIterator += 1
        }
        #expect(fromIterator == 500)
        var modifiedCopy = snapshot
        modifiedCopy.removeAll()
        #expect(snapshot.count == 500 && modifiedCopy.isEmpty)
    }

    @Test func mutatingDuringForEachDoesNotDisturbTheIteration() {
        final class Holder { var tree = ByteBTree(nodeCapacity: 4) }
        let holder = Holder()
        for i in 0..<100 { holder.tree.put([UInt8(i)], [1]) }
        var seen: [[UInt8]] = []
        holder.tree.forEach(from: nil, to: nil, toInclusive: false, reverse: false) { key, value in
            #expect(value == [1])
            seen.append(key)
            holder.tree.remove(key)
            holder.tree.put([0xC8, key[0]], [2])
            return true
        }
        #expect(seen == (0..<100).map { [UInt8($0)] })
        #expect(holder.tree.count == 100)
        #expect(holder.tree.invariantViolation() == nil)
        #expect(holder.tree.entries().allSatisfy { $0.key.first == 0xC8 && $0.value == [2] })
    }

    /// Random operations checked against a dictionary and a sorted key array, with a
    /// small key alphabet so that keys collide and nodes split and merge often.
    @Test(arguments: [(3, 1), (4, 2), (8, 3), (ByteBTree.defaultNodeCapacity, 4)])
    func randomizedAgainstModel(capacity: Int, seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed))
        var tree = ByteBTree(nodeCapacity: capacity)
        var model: [[UInt8]: [UInt8]] = [:]
        var sorted: [[UInt8]] = []  // the model's keys, kept sorted
        func sortedIndex(_ key: [UInt8]) -> Int {
            var low = 0
            var high = sorted.count
            while low < high {
                let mid = (low + high) / 2
                if lexicographicallyPrecedes(sorted[mid], key) { low = mid + 1 } else { high = mid }
            }
            return low
        }
        func modelPut(_ key: [UInt8], _ value: [UInt8]) -> [UInt8]? {
            let old = model.updateValue(value, forKey: key)
            if old == nil { sorted.insert(key, at: sortedIndex(key)) }
            return old
        }
        func modelRemove(_ key: [UInt8]) -> [UInt8]? {
            let old = model.removeValue(forKey: key)
            if old != nil { sorted.remove(at: sortedIndex(key)) }
            return old
        }
        let alphabet: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xFF]

        func randomKey() -> [UInt8] {
            let length = Int.random(in: 0...4, using: &rng)
            return (0..<length).map { _ in alphabet.randomElement(using: &rng)! }
        }
        func modelRange(from: [UInt8]?, to: [UInt8]?, inclusive: Bool, reverse: Bool) -> [[UInt8]] {
            let selected = sorted.filter { key in
                if let from, lexicographicallyPrecedes(key, from) { return false }
                if let to {
                    if inclusive ? lexicographicallyPrecedes(to, key) : !lexicographicallyPrecedes(key, to) {
                        return false
                    }
                }
                return true
            }
            return reverse ? selected.reversed() : selected
        }
        func checkRange(from: [UInt8]?, to: [UInt8]?, inclusive: Bool, reverse: Bool) {
            let expected = modelRange(from: from, to: to, inclusive: inclusive, reverse: reverse)
            let got = tree.entries(from: from, to: to, toInclusive: inclusive, reverse: reverse)
            #expect(keys(got) == expected, "range \(String(describing: from))...\(String(describing: to)) inclusive \(inclusive) reverse \(reverse)")
            #expect(got.allSatisfy { model[$0.key] == $0.value })
            let lazily = iterate(tree, from: from, to: to, toInclusive: inclusive, reverse: reverse)
            #expect(keys(lazily) == expected)
        }

        var removesOfPresentKeys = 0
        for op in 1...20_000 {
            let roll = Int.random(in: 0..<100, using: &rng)
            let key = randomKey()
            if roll < 50 {
                let value = [UInt8.random(in: 0...255, using: &rng), UInt8(op & 0xFF)]
                let old = tree.put(key, value)
                #expect(old == modelPut(key, value))
            } else if roll < 90 {
                let old = tree.remove(key)
                #expect(old == modelRemove(key))
                if old != nil { removesOfPresentKeys += 1 }
            } else if roll < 98 {
                let other = randomKey()
                let from = Bool.random(using: &rng) ? key : nil
                let to = Bool.random(using: &rng) ? other : nil
                checkRange(from: from, to: to, inclusive: Bool.random(using: &rng), reverse: Bool.random(using: &rng))
            } else {
                // Occasionally grow the tree a lot, so that later removals merge nodes.
                for _ in 0..<100 {
                    let k = randomKey()
                    let value: [UInt8] = [0xEE]
                    #expect(tree.put(k, value) == modelPut(k, value))
                }
            }
            #expect(tree.count == model.count)
            if op % 500 == 0 {
                #expect(tree.invariantViolation() == nil)
                for (k, v) in model { #expect(tree.get(k) == v) }
                for _ in 0..<20 {
                    let k = randomKey()
                    #expect(tree.get(k) == model[k])
                    #expect(k.withUnsafeBytes { tree.get($0) } == model[k])
                }
                for reverse in [false, true] {
                    for inclusive in [false, true] {
                        checkRange(from: randomKey(), to: randomKey(), inclusive: inclusive, reverse: reverse)
                        checkRange(from: nil, to: randomKey(), inclusive: inclusive, reverse: reverse)
                        checkRange(from: randomKey(), to: nil, inclusive: inclusive, reverse: reverse)
                    }
                    checkRange(from: nil, to: nil, inclusive: false, reverse: reverse)
                }
                #expect(tree.first?.key == sorted.first)
                #expect(tree.last?.key == sorted.last)
                #expect(sorted.count == model.count)
            }
        }
        #expect(removesOfPresentKeys > 1000)
        // Drain through removals.
        for key in model.keys { #expect(tree.remove(key) != nil) }
        #expect(tree.count == 0)
        #expect(tree.invariantViolation() == nil)
        #expect(tree.entries().isEmpty)
    }
}
