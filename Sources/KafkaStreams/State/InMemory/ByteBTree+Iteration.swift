// Ordered iteration over a `ByteBTree`: bounded ranges in either direction, prefix
// scans, the smallest and largest entries, and a snapshot iterator.

extension ByteBTree {
    typealias Entry = (key: [UInt8], value: [UInt8])

    /// The entry with the smallest key, or `nil` when the tree is empty.
    var first: Entry? {
        var node = root
        while !node.isLeaf { node = node.children[0] }
        guard node.count > 0 else { return nil }
        return (node.keys[0].bytes, node.values[0])
    }

    /// The entry with the largest key, or `nil` when the tree is empty.
    var last: Entry? {
        var node = root
        while !node.isLeaf { node = node.children[node.count] }
        guard node.count > 0 else { return nil }
        return (node.keys[node.count - 1].bytes, node.values[node.count - 1])
    }

    /// Calls `body` with the entries whose keys lie between `from` (inclusive; `nil`
    /// for no lower bound) and `to` (inclusive if `toInclusive`, else exclusive; `nil`
    /// for no upper bound), in ascending key order, or descending if `reverse`.
    /// Stops as soon as `body` returns `false`. A `from` above `to` visits nothing.
    ///
    /// Reads a snapshot of the tree taken at the call: `body` may change the tree
    /// (through another reference to it) without affecting this iteration.
    func forEach(
        from: [UInt8]?, to: [UInt8]?, toInclusive: Bool, reverse: Bool,
        _ body: ([UInt8], [UInt8]) throws -> Bool
    ) rethrows {
        if let from, let to {
            let c = Self.compare(from, to)
            if c > 0 || (c == 0 && !toInclusive) { return }
        }
        let snapshot = root
        try Self.withOptionalProbe(from) { low in
            try Self.withOptionalProbe(to) { high in
                if reverse {
                    _ = try Self.descend(snapshot, low, high, toInclusive, body)
                } else {
                    _ = try Self.ascend(snapshot, low, high, toInclusive, body)
                }
            }
        }
    }

    /// Calls `body` with the entries whose keys start with `prefix`, in ascending key
    /// order (descending if `reverse`), stopping as soon as `body` returns `false`.
    func forEach(
        prefix: [UInt8], reverse: Bool = false, _ body: ([UInt8], [UInt8]) throws -> Bool
    ) rethrows {
        let upper = Self.prefixUpperBound(prefix)
        try forEach(
            from: prefix.isEmpty ? nil : prefix, to: upper, toInclusive: false,
            reverse: reverse, body)
    }

    /// The entries of a range (see `forEach(from:to:toInclusive:reverse:_:)`) as an
    /// array, for callers that want a materialized snapshot.
    func entries(
        from: [UInt8]? = nil, to: [UInt8]? = nil, toInclusive: Bool = false,
        reverse: Bool = false
    ) -> [Entry] {
        var result: [Entry] = []
        forEach(from: from, to: to, toInclusive: toInclusive, reverse: reverse) { key, value in
            result.append((key, value))
            return true
        }
        return result
    }

    /// The smallest key greater than every key starting with `prefix`, or `nil` when
    /// there is none (the prefix is empty or all `0xFF`).
    static func prefixUpperBound(_ prefix: [UInt8]) -> [UInt8]? {
        var upper = prefix
        while let lastByte = upper.last {
            if lastByte == 0xFF {
                upper.removeLast()
            } else {
                upper[upper.count - 1] = lastByte + 1
                return upper
            }
        }
        return nil
    }

    // MARK: Recursive traversal

    @inline(__always)
    static func withOptionalProbe<R>(
        _ key: [UInt8]?, _ body: (Probe?) throws -> R
    ) rethrows -> R {
        guard let key else { return try body(nil) }
        return try key.withUnsafeBytes { try body(Probe($0)) }
    }

    /// The end (exclusive) of the leaf's keys that are below `high`.
    @inline(__always)
    private static func leafEnd(_ leaf: Node, _ high: Probe?, _ inclusive: Bool) -> Int {
        guard let high else { return leaf.count }
        let (index, found) = leaf.search(high)
        return found && inclusive ? index + 1 : index
    }

    /// Visits the subtree in ascending order; returns `false` once `body` has asked
    /// to stop or the upper bound has been passed.
    private static func ascend(
        _ node: Node, _ low: Probe?, _ high: Probe?, _ inclusive: Bool,
        _ body: ([UInt8], [UInt8]) throws -> Bool
    ) rethrows -> Bool {
        if node.isLeaf {
            var i = low.map { node.search($0).index } ?? 0
            let end = leafEnd(node, high, inclusive)
            while i < end {
                guard try body(node.keys[i].bytes, node.values[i]) else { return false }
                i += 1
            }
            return end == node.count
        }
        let start = low.map { node.childIndex($0) } ?? 0
        let last = high.map { node.childIndex($0) } ?? node.count
        guard start <= last else { return false }
        // Only the first child visited needs the lower bound, only the last the upper.
        guard try ascend(node.children[start], low, start == last ? high : nil, inclusive, body)
        else { return false }
        var c = start + 1
        while c <= last {
            guard try ascend(node.children[c], nil, c == last ? high : nil, inclusive, body)
            else { return false }
            c += 1
        }
        return last == node.count
    }

    /// Visits the subtree in descending order; returns `false` once `body` has asked
    /// to stop or the lower bound has been passed.
    private static func descend(
        _ node: Node, _ low: Probe?, _ high: Probe?, _ inclusive: Bool,
        _ body: ([UInt8], [UInt8]) throws -> Bool
    ) rethrows -> Bool {
        if node.isLeaf {
            let start = low.map { node.search($0).index } ?? 0
            var i = leafEnd(node, high, inclusive)
            while i > start {
                i -= 1
                guard try body(node.keys[i].bytes, node.values[i]) else { return false }
            }
            return start == 0
        }
        let first = low.map { node.childIndex($0) } ?? 0
        let last = high.map { node.childIndex($0) } ?? node.count
        guard first <= last else { return false }
        guard try descend(node.children[last], first == last ? low : nil, high, inclusive, body)
        else { return false }
        var c = last - 1
        while c >= first {
            guard try descend(node.children[c], c == first ? low : nil, nil, inclusive, body)
            else { return false }
            c -= 1
        }
        return first == 0
    }
}

// MARK: - Iterator

extension ByteBTree {
    /// A lazy iterator over a range of a snapshot of the tree: later changes to the
    /// tree do not affect it. Made by `makeIterator(from:to:toInclusive:reverse:)`.
    struct Iterator: IteratorProtocol {
        /// The internal nodes on the path to the current leaf, each with the index of
        /// the child being visited.
        private var path: [(node: Node, child: Int)]
        private var leaf: Node
        /// The next position in `leaf`: ascending, the next entry is at `position`;
        /// descending, at `position - 1`.
        private var position: Int
        /// Where iteration in `leaf` stops: ascending, `position < limit`; descending,
        /// `position > limit`.
        private var limit: Int
        /// The bound that ends iteration: upper when ascending, lower when descending.
        private let bound: [UInt8]?
        private let inclusive: Bool
        private let reverse: Bool
        private var finished: Bool

        fileprivate init(
            root: Node, from: [UInt8]?, to: [UInt8]?, toInclusive: Bool, reverse: Bool
        ) {
            self.path = []
            self.inclusive = toInclusive
            self.reverse = reverse
            self.bound = reverse ? from : to
            var empty = false
            if let from, let to {
                let c = ByteBTree.compare(from, to)
                empty = c > 0 || (c == 0 && !toInclusive)
            }
            self.finished = empty
            // Descend towards the starting bound.
            let start = reverse ? to : from
            var node = root
            var path: [(node: Node, child: Int)] = []
            ByteBTree.withOptionalProbe(start) { probe in
                while !node.isLeaf {
                    let child: Int
                    if let probe {
                        child = node.childIndex(probe)
                    } else {
                        child = reverse ? node.count : 0
                    }
                    path.append((node, child))
                    node = node.children[child]
                }
            }
            self.path = path
            self.leaf = node
            self.position = 0
            self.limit = 0
            ByteBTree.withOptionalProbe(start) { probe in
                if reverse {
                    if let probe {
                        let (index, found) = node.search(probe)
                        self.position = found && toInclusive ? index + 1 : index
                    } else {
                        self.position = node.count
                    }
                } else {
                    self.position = probe.map { node.search($0).index } ?? 0
                }
            }
            self.limit = leafLimit()
        }

        /// The limit in the current leaf, from the ending bound.
        private func leafLimit() -> Int {
            ByteBTree.withOptionalProbe(bound) { probe in
                if reverse {
                    return probe.map { leaf.search($0).index } ?? 0
                }
                guard let probe else { return leaf.count }
                let (index, found) = leaf.search(probe)
                return found && inclusive ? index + 1 : index
            }
        }

        mutating func next() -> Entry? {
            while !finished {
                if reverse {
                    if position > limit {
                        position -= 1
                        return (leaf.keys[position].bytes, leaf.values[position])
                    }
                    if limit > 0 { break }  // passed the lower bound
                } else {
                    if position < limit {
                        defer { position += 1 }
                        return (leaf.keys[position].bytes, leaf.values[position])
                    }
                    if limit < leaf.count { break }  // passed the upper bound
                }
                guard advanceLeaf() else { break }
            }
            finished = true
            return nil
        }

        /// Moves to the next leaf in the direction of iteration; `false` at the end.
        private mutating func advanceLeaf() -> Bool {
            while let (node, child) = path.last {
                let next = reverse ? child - 1 : child + 1
                if next >= 0 && next < node.count + 1 {
                    path[path.count - 1].child = next
                    var descendant = node.children[next]
                    while !descendant.isLeaf {
                        let index = reverse ? descendant.count : 0
                        path.append((descendant, index))
                        descendant = descendant.children[index]
                    }
                    leaf = descendant
                    position = reverse ? leaf.count : 0
                    limit = leafLimit()
                    return true
                }
                path.removeLast()
            }
            return false
        }
    }

    /// A lazy iterator over the entries of a range (see
    /// `forEach(from:to:toInclusive:reverse:_:)`), reading a snapshot of the tree.
    func makeIterator(
        from: [UInt8]? = nil, to: [UInt8]? = nil, toInclusive: Bool = false,
        reverse: Bool = false
    ) -> Iterator {
        Iterator(root: root, from: from, to: to, toInclusive: toInclusive, reverse: reverse)
    }
}


