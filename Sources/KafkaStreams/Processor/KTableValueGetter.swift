/// How the nodes of a task read a table's current value by key (Kafka Streams'
/// `KTableValueGetterSupplier`): from the table's own store when it is materialized, else
/// computed from the stores of the tables it derives from (a filter or join that has no store).
///
/// Joins look tables up with these: a stream-table join reads the table, a table-table join
/// reads the other side, a foreign-key join reads both sides.
struct KTableValueGetterSupplier<K, V>: Sendable {
    /// The task stores the getter reads: each node that uses the getter must be connected to
    /// them (which also puts it in their subtopology). Global stores are not listed.
    let storeNames: [String]
    /// Makes the getter of one node in one task.
    let make: @Sendable (TaskContext) throws -> KTableValueGetter<K, V>
}

/// Reads a table's value and timestamp by key within one task; `nil` when the key is absent.
struct KTableValueGetter<K, V> {
    let get: (K) throws -> ValueAndTimestamp<V>?
    /// Calls `body` with the key's value, if the table has the key, and returns whether it did:
    /// the value alone, which is all a stream-table join needs. From a store it is read without
    /// building a `ValueAndTimestamp<V>` or a `V?`, whose generic metadata a join's unspecialized
    /// code would otherwise look up on every record (~350 instructions each).
    let withValue: (K, (V) throws -> Void) throws -> Bool

    init(get: @escaping (K) throws -> ValueAndTimestamp<V>?) {
        self.get = get
        self.withValue = { key, body in
            guard let found = try get(key) else { return false }
            try body(found.value)
            return true
        }
    }

    init(get: @escaping (K) throws -> ValueAndTimestamp<V>?, withValue: @escaping (K, (V) throws -> Void) throws -> Bool) {
        self.get = get
        self.withValue = withValue
    }

    /// Reads a timestamped store.
    init(store: TimestampedKeyValueStore<K, V>) {
        self.get = { try store.get($0) }
        self.withValue = { key, body in
            try store.setKey(key)
            return try store.withSetKeyValue(body)
        }
    }
}

extension KTableValueGetterSupplier {
    /// Reads a task's timestamped store (through its record cache, so it sees the latest value).
    static func store(_ name: String, key: Serde<K>, value: Serde<V>) -> Self {
        KTableValueGetterSupplier(storeNames: [name]) { task in
            KTableValueGetter(store: try task.timestampedStore(name, key: key, value: value))
        }
    }

    /// Reads a global store, shared by all tasks of the instance (written by the global thread).
    static func global(_ name: String, key: Serde<K>, value: Serde<V>) -> Self {
        KTableValueGetterSupplier(storeNames: []) { task in
            guard let bytes = task.globalStores[name] else {
                throw StreamsError.unknownStore(name: name, message: "is not an open global store")
            }
            // A view of this node's own: the typed store keeps buffers that must not be shared.
            return KTableValueGetter(store: TimestampedKeyValueStore(bytes: bytes, key: key, value: value))
        }
    }

    /// The values of `parent` that pass `predicate` (a table `filter` without a store of its own).
    static func filter(_ parent: Self, keep: Bool, predicate: @escaping @Sendable (K, V) throws -> Bool) -> Self {
        KTableValueGetterSupplier(storeNames: parent.storeNames) { task in
            let getter = try parent.make(task)
            return KTableValueGetter(
                get: { key in
                    guard let found = try getter.get(key) else { return nil }
                    return try predicate(key, found.value) == keep ? found : nil
                },
                withValue: { key, body in
                    var passed = false
                    _ = try getter.withValue(key) { found in
                        guard try predicate(key, found) == keep else { return }
                        passed = true
                        try body(found)
                    }
                    return passed
                })
        }
    }

    /// The values of `parent` mapped (a table `mapValues` without a store of its own).
    static func mapValues<P>(_ parent: KTableValueGetterSupplier<K, P>, mapper: @escaping @Sendable (K, P) throws -> V)
        -> Self
    {
        KTableValueGetterSupplier(storeNames: parent.storeNames) { task in
            let getter = try parent.make(task)
            return KTableValueGetter(
                get: { key in
                    guard let found = try getter.get(key) else { return nil }
                    return ValueAndTimestamp(value: try mapper(key, found.value), timestamp: found.timestamp)
                },
                withValue: { key, body in
                    try getter.withValue(key) { found in try body(try mapper(key, found)) }
                })
        }
    }
}
