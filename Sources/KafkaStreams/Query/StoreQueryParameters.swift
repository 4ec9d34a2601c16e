/// Which store an interactive query reads, and as what type.
///
/// ```swift
/// let counts = try streams.store(.keyValue(name: "counts", key: .string, value: .int64))
/// let perMinute = try streams.store(.windowStore(name: "clicks-per-minute", key: .string, value: .int64))
/// let visits = try streams.store(.sessionStore(name: "visits", key: .string, value: .int64))
/// ```
public struct StoreQueryParameters<Store>: Sendable {
    let name: String
    /// The kind of store the view reads.
    let kind: Kind
    let make: @Sendable (_ stores: [any KeyValueBytesStore & Sendable], _ definition: StoreDefinition) throws -> Store

    enum Kind: String, Sendable {
        case keyValue = "key-value"
        case window
        case session

        init(_ layout: StoreDefinition.Layout) {
            switch layout {
            case .keyValue: self = .keyValue
            case .window: self = .window
            case .session: self = .session
            }
        }

        /// How a query asks for a store of this kind.
        var parameters: String {
            switch self {
            case .keyValue: ".keyValue(name:key:value:)"
            case .window: ".windowStore(name:key:value:)"
            case .session: ".sessionStore(name:key:value:)"
            }
        }
    }

    /// A key-value store by name, read with these serdes.
    public static func keyValue<Key, Value>(name: String, key: Serde<Key>, value: Serde<Value>) -> StoreQueryParameters<
        ReadOnlyKeyValueStore<Key, Value>
    > where Store == ReadOnlyKeyValueStore<Key, Value> {
        StoreQueryParameters(name: name, kind: .keyValue) { stores, definition in
            ReadOnlyKeyValueStore(name: name, stores: stores, key: key, value: value, timestamped: definition.timestamped)
        }
    }

    /// A window store by name (a windowed aggregation's, or one added with
    /// ``Stores/windowStoreBuilder(_:key:value:)``), read with these serdes: `value` is the
    /// aggregate's serde, without the timestamp a windowed aggregation stores with it.
    public static func windowStore<Key, Value>(name: String, key: Serde<Key>, value: Serde<Value>) -> StoreQueryParameters<
        ReadOnlyWindowStore<Key, Value>
    > where Store == ReadOnlyWindowStore<Key, Value> {
        StoreQueryParameters(name: name, kind: .window) { stores, definition in
            guard case .window(_, _, let windowSize) = definition.layout else {
                throw StreamsError.unknownStore(name: name, message: "is not a window store")
            }
            return ReadOnlyWindowStore(
                name: name, stores: try segmentedStores(stores, name: name), key: key, value: value,
                timestamped: definition.timestamped, windowSize: windowSize)
        }
    }

    /// A session store by name (a session aggregation's, or one added with
    /// ``Stores/sessionStoreBuilder(_:key:value:)``), read with these serdes.
    public static func sessionStore<Key, Value>(name: String, key: Serde<Key>, value: Serde<Value>) -> StoreQueryParameters<
        ReadOnlySessionStore<Key, Value>
    > where Store == ReadOnlySessionStore<Key, Value> {
        StoreQueryParameters(name: name, kind: .session) { stores, definition in
            ReadOnlySessionStore(
                name: name, stores: try segmentedStores(stores, name: name), key: key, value: value,
                timestamped: definition.timestamped)
        }
    }

    /// The segmented stores under the tasks' byte stores of a window or session store.
    private static func segmentedStores<Schema>(
        _ stores: [any KeyValueBytesStore & Sendable], name: String
    ) throws -> [SegmentedBytesStore<Schema>] {
        try stores.map { store in
            guard let segmented = ChangeLoggingKeyValueBytesStore.unwrap(store) as? SegmentedBytesStore<Schema> else {
                throw StreamsError.unknownStore(name: name, message: "is not a \(Schema.self == WindowKeySchema.self ? "window" : "session") store")
            }
            return segmented
        }
    }

    /// Makes the view of `stores`, the tasks' byte stores of `definition`, after checking that the
    /// store is of the kind this view reads.
    func view(of stores: [any KeyValueBytesStore & Sendable], _ definition: StoreDefinition) throws -> Store {
        let actual = Kind(definition.layout)
        guard actual == kind else {
            throw StreamsError.unknownStore(
                name: name,
                message: "is a \(actual.rawValue) store, not a \(kind.rawValue) store: query it with \(actual.parameters)")
        }
        return try make(stores, definition)
    }
}

extension KafkaStreams {
    /// A read-only view of a store over all tasks of this instance, safe to use from any thread.
    ///
    /// - Throws: ``StreamsError/unknownStore(name:message:)`` when the topology has no such store
    ///   or it is of another kind (a window store asked for as a key-value store, say),
    ///   ``StreamsError/invalidState(_:)`` while the application is not running (for example while
    ///   rebalancing: retry).
    public func store<Store>(_ parameters: StoreQueryParameters<Store>) throws -> Store {
        let global = plan.globalStore(named: parameters.name)
        guard let definition = plan.stores[parameters.name] ?? global?.store else {
            throw StreamsError.unknownStore(name: parameters.name, message: "is not in the topology")
        }
        let current = state
        guard current == .running || current == .pendingShutdown else {
            throw StreamsError.invalidState(
                "state store \(parameters.name) can be queried while running; the application is \(current)")
        }
        if global != nil {
            // A global table's store: one per instance, kept by the global thread.
            let stores = globalStores[parameters.name].map { [$0] } ?? []
            return try parameters.view(of: stores, definition)
        }
        return try parameters.view(of: registry.stores(named: parameters.name), definition)
    }
}
