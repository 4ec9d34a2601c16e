import Synchronization

/// The in-memory key-value store: a B-tree of byte keys behind a lock.
///
/// The lock is taken by the processing thread on every access and by interactive queries from
/// other threads; it is uncontended while nobody queries.
final class InMemoryKeyValueStore: KeyValueBytesStore, Sendable {
    let name: String
    var isPersistent: Bool { false }
    private let tree: Mutex<ByteBTree>

    init(name: String) {
        self.name = name
        self.tree = Mutex(ByteBTree())
    }

    func get(_ key: [UInt8]) throws -> [UInt8]? {
        tree.withLock { $0.get(key) }
    }

    func put(_ key: [UInt8], _ value: [UInt8]) throws {
        tree.withLock { $0.set(key, value) }
    }

    @discardableResult
    func delete(_ key: [UInt8]) throws -> [UInt8]? {
        tree.withLock { $0.remove(key) }
    }

    func range(from: [UInt8]?, to: [UInt8]?, reverse: Bool) throws -> [(key: [UInt8], value: [UInt8])] {
        tree.withLock { tree in
            var result: [(key: [UInt8], value: [UInt8])] = []
            tree.forEach(from: from, to: to, toInclusive: true, reverse: reverse) { key, value in
                result.append((key, value))
                return true
            }
            return result
        }
    }

    /// Applies puts and deletes under one acquisition of the lock.
    func applyUnderLock(_ writes: [(key: [UInt8], value: [UInt8]?)]) {
        tree.withLock { tree in
            for write in writes {
                if let value = write.value { tree.set(write.key, value) } else { _ = tree.remove(write.key) }
            }
        }
    }

    func approximateNumEntries() throws -> Int {
        tree.withLock { $0.count }
    }

    func removeAll() throws {
        tree.withLock { $0.removeAll() }
    }

    func flush() throws {}

    func close() throws {}
}
