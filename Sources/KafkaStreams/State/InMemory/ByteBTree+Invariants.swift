// Structural checks of a `ByteBTree`, for tests.

extension ByteBTree {
    /// Describes the first broken invariant, or returns `nil` if the tree is sound:
    /// keys strictly ascending, separators bounding their subtrees, every leaf at the
    /// same depth, node occupancy within bounds, cached prefixes right, and `count`
    /// equal to the number of entries.
    func invariantViolation() -> String? {
        var entries = 0
        var leafDepth: Int?
        func check(_ node: Node, depth: Int, low: [UInt8]?, high: [UInt8]?) -> String? {
            let isRoot = node === root
            if node.count > nodeCapacity { return "node over capacity at depth \(depth)" }
            if node.capacity != nodeCapacity { return "node of another capacity at depth \(depth)" }
            if !isRoot && node.count < minKeys {
                return "node under minimum (\(node.count) < \(minKeys)) at depth \(depth)"
            }
            for i in 0..<node.count {
                let key = node.keys[i]
                if key.prefix != StoredKey(key.bytes).prefix { return "stale prefix at depth \(depth)" }
                if key.count != key.bytes.count { return "stale count at depth \(depth)" }
                if i > 0 && Self.compare(node.keys[i - 1].bytes, key.bytes) >= 0 {
                    return "keys not ascending at depth \(depth)"
                }
                if let low, Self.compare(key.bytes, low) < 0 { return "key below its separator" }
                if let high, Self.compare(key.bytes, high) >= 0 { return "key not below its separator" }
            }
            if node.isLeaf {
                if let leafDepth, leafDepth != depth { return "leaves at depths \(leafDepth) and \(depth)" }
                leafDepth = depth
                entries += node.count
                return nil
            }
            if isRoot && node.count == 0 { return "internal root with a single child" }
            for i in 0...node.count {
                let childLow = i == 0 ? low : node.keys[i - 1].bytes
                let childHigh = i == node.count ? high : node.keys[i].bytes
                if let problem = check(node.children[i], depth: depth + 1, low: childLow, high: childHigh) {
                    return problem
                }
            }
            return nil
        }
        if let problem = check(root, depth: 0, low: nil, high: nil) { return problem }
        if entries != count { return "count \(count) but \(entries) entries" }
        return nil
    }

    /// The number of levels: 1 for a lone leaf.
    var height: Int {
        var levels = 1
        var node = root
        while !node.isLeaf {
            node = node.children[0]
            levels += 1
        }
        return levels
    }
}
