// The nodes of a `ByteBTree`.

extension ByteBTree {
    /// A node, with fixed-size buffers allocated once (room for one key more than the
    /// capacity, so that an insertion may overflow before the node splits).
    ///
    /// A leaf holds `count` keys and as many values; an internal node holds `count`
    /// separator keys and `count + 1` children, `keys[i]` separating `children[i]`
    /// from `children[i + 1]`. Raw buffers rather than arrays: no per-access
    /// uniqueness checks, retains of array buffers, or exclusivity bookkeeping on the
    /// hot paths.
    ///
    /// A node reachable from more than one tree (after a copy of the tree) is never
    /// mutated: a mutating descent replaces a shared node with a copy first
    /// (`uniqueChild`).
    final class Node {
        let isLeaf: Bool
        /// The maximum number of keys (the tree's `nodeCapacity`).
        let capacity: Int
        /// The number of keys.
        @exclusivity(unchecked) var count: Int
        let keys: UnsafeMutablePointer<StoredKey>
        /// Leaf only (an empty allocation in an internal node).
        let values: UnsafeMutablePointer<[UInt8]>
        /// Internal only (an empty allocation in a leaf).
        let children: UnsafeMutablePointer<Node>

        init(isLeaf: Bool, capacity: Int) {
            self.isLeaf = isLeaf
            self.capacity = capacity
            self.count = 0
            keys = .allocate(capacity: capacity + 1)
            values = .allocate(capacity: isLeaf ? capacity + 1 : 0)
            children = .allocate(capacity: isLeaf ? 0 : capacity + 2)
        }

        /// A new root above two nodes.
        convenience init(capacity: Int, left: Node, separator: StoredKey, right: Node) {
            self.init(isLeaf: false, capacity: capacity)
            keys.initialize(to: separator)
            children.initialize(to: left)
            (children + 1).initialize(to: right)
            count = 1
        }

        deinit {
            keys.deinitialize(count: count)
            keys.deallocate()
            if isLeaf {
                values.deinitialize(count: count)
            } else {
                children.deinitialize(count: count + 1)
            }
            values.deallocate()
            children.deallocate()
        }

        /// A copy sharing the keys, values and children (children are now referenced
        /// twice, so a later mutation copies them in turn).
        func copy() -> Node {
            let node = Node(isLeaf: isLeaf, capacity: capacity)
            node.keys.initialize(from: keys, count: count)
            if isLeaf {
                node.values.initialize(from: values, count: count)
            } else {
                node.children.initialize(from: children, count: count + 1)
            }
            node.count = count
            return node
        }

        // MARK: Search

        /// Binary search: the index of `probe` if present, else the index of the first
        /// key greater than it.
        @inline(__always)
        func search(_ probe: Probe) -> (index: Int, found: Bool) {
            var low = 0
            var high = count
            while low < high {
                let mid = (low &+ high) &>> 1
                let key = keys + mid
                let c: Int
                if key.pointee.prefix != probe.prefix {
                    c = key.pointee.prefix < probe.prefix ? -1 : 1
                } else if key.pointee.count <= 8 || probe.bytes.count <= 8 {
                    // Equal prefixes: the shorter key's bytes all lie in the prefix, so it is
                    // a prefix of the longer one (or equal to it): the counts decide.
                    c = key.pointee.count &- probe.bytes.count
                } else {
                    c = key.pointee.bytes.withUnsafeBytes { ByteBTree.compare($0, probe.bytes) }
                }
                if c < 0 {
                    low = mid &+ 1
                } else if c > 0 {
                    high = mid
                } else {
                    return (mid, true)
                }
            }
            return (low, false)
        }

        /// The index of the child whose subtree may hold `probe` (the number of
        /// separators `<= probe`).
        @inline(__always)
        func childIndex(_ probe: Probe) -> Int {
            let (index, found) = search(probe)
            return found ? index &+ 1 : index
        }

        /// `children[i]`, first copied if it is shared with another tree, so that the
        /// caller may mutate it.
        @inline(__always)
        func uniqueChild(_ i: Int) -> Node {
            if !isKnownUniquelyReferenced(&children[i]) {
                children[i] = children[i].copy()
            }
            return children[i]
        }

        // MARK: Leaf edits

        func insertEntry(_ key: StoredKey, _ value: [UInt8], at i: Int) {
            (keys + i + 1).moveInitialize(from: keys + i, count: count - i)
            (keys + i).initialize(to: key)
            (values + i + 1).moveInitialize(from: values + i, count: count - i)
            (values + i).initialize(to: value)
            count += 1
        }

        func removeEntry(at i: Int) -> (key: StoredKey, value: [UInt8]) {
            let key = (keys + i).move()
            let value = (values + i).move()
            (keys + i).moveInitialize(from: keys + i + 1, count: count - i - 1)
            (values + i).moveInitialize(from: values + i + 1, count: count - i - 1)
            count -= 1
            return (key, value)
        }

        // MARK: Internal-node edits

        /// Inserts `key` at `i` and `child` at `childIndex` (`i` or `i + 1`).
        func insertSeparator(_ key: StoredKey, at i: Int, child: Node, at childIndex: Int) {
            (keys + i + 1).moveInitialize(from: keys + i, count: count - i)
            (keys + i).initialize(to: key)
            (children + childIndex + 1).moveInitialize(
                from: children + childIndex, count: count + 1 - childIndex)
            (children + childIndex).initialize(to: child)
            count += 1
        }

        /// Removes the key at `i` and the child at `childIndex` (`i` or `i + 1`).
        func removeSeparator(at i: Int, childAt childIndex: Int) -> (key: StoredKey, child: Node) {
            let key = (keys + i).move()
            (keys + i).moveInitialize(from: keys + i + 1, count: count - i - 1)
            let child = (children + childIndex).move()
            (children + childIndex).moveInitialize(
                from: children + childIndex + 1, count: count - childIndex)
            count -= 1
            return (key, child)
        }

        // MARK: Split and rebalance

        /// Splits an overfull node in two, returning the separator and the new right
        /// sibling.
        func split() -> (separator: StoredKey, right: Node) {
            let right = Node(isLeaf: isLeaf, capacity: capacity)
            if isLeaf {
                let mid = count / 2
                let moved = count - mid
                right.keys.moveInitialize(from: keys + mid, count: moved)
                right.values.moveInitialize(from: values + mid, count: moved)
                right.count = moved
                count = mid
                return (right.keys[0], right)
            }
            let mid = count / 2
            let separator = (keys + mid).move()
            let moved = count - mid - 1
            right.keys.moveInitialize(from: keys + mid + 1, count: moved)
            right.children.moveInitialize(from: children + mid + 1, count: moved + 1)
            right.count = moved
            count = mid
            return (separator, right)
        }

        /// Appends the entries or separators and children of `right`, with
        /// `separator` between them when internal. `right` is left untouched (it may be
        /// shared).
        func append(_ right: Node, separator: StoredKey) {
            if isLeaf {
                (keys + count).initialize(from: right.keys, count: right.count)
                (values + count).initialize(from: right.values, count: right.count)
                count += right.count
            } else {
                (keys + count).initialize(to: separator)
                (keys + count + 1).initialize(from: right.keys, count: right.count)
                (children + count + 1).initialize(from: right.children, count: right.count + 1)
                count += right.count + 1
            }
        }

        /// Restores the minimum occupancy of `children[c]` (already unique, with one
        /// key too few) by borrowing a key from a sibling or merging with one.
        func rebalance(childAt c: Int, minKeys: Int) {
            let child = children[c]
            if c > 0, children[c - 1].count > minKeys {
                let left = uniqueChild(c - 1)
                if child.isLeaf {
                    let (key, value) = left.removeEntry(at: left.count - 1)
                    child.insertEntry(key, value, at: 0)
                    keys[c - 1] = key
                } else {
                    let (key, grandchild) = left.removeSeparator(
                        at: left.count - 1, childAt: left.count)
                    child.insertSeparator(keys[c - 1], at: 0, child: grandchild, at: 0)
                    keys[c - 1] = key
                }
                return
            }
            if c < count, children[c + 1].count > minKeys {
                let right = uniqueChild(c + 1)
                if child.isLeaf {
                    let (key, value) = right.removeEntry(at: 0)
                    child.insertEntry(key, value, at: child.count)
                    keys[c] = right.keys[0]
                } else {
                    let (key, grandchild) = right.removeSeparator(at: 0, childAt: 0)
                    child.insertSeparator(keys[c], at: child.count, child: grandchild, at: child.count + 1)
                    keys[c] = key
                }
                return
            }
            // Both siblings are at the minimum: merge with one of them.
            let l = c > 0 ? c - 1 : c
            let left = uniqueChild(l)
            let right = children[l + 1]  // only read: it leaves the tree
            left.append(right, separator: keys[l])
            _ = removeSeparator(at: l, childAt: l + 1)
        }
    }
}
