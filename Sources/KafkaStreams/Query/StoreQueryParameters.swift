/// Which store an interactive query reads, and as what type.
///
/// ```swift
/// let counts = try streams.store(.keyValue(name: "counts", key: .string, value: .int64))
/// ```
public struct StoreQueryParameters<Store>: Sendable {
    let name: String
    let make: @Sendable (_ stores: [any KeyValueBytesStore & Sendable], _ timestamped: Bool) -> Store

    /// A key-value store by name, read with these serdes.
    public static func keyValue<Key, Value>(name: String, key: Serde<Key>, value: Serde<Value>) -> StoreQueryParameters<
        ReadOnlyKeyValueStore<Key, Value>
    > where Store == ReadOnlyKeyValueStore<Key, Value> {
        StoreQueryParameters(name: name) { stores, timestamped in
            ReadOnlyKeyValueStore(name: name, stores: stores, key: key, value: value, timestamped: timestamped)
        }
    }
}

extension KafkaStreams {
    /// A read-only view of a store over all tasks of this instance, safe to use from any thread.
    ///
    /// - Throws: ``StreamsError/unknownStore(name:message:)`` when the topology has no such store,
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
            return parameters.make(stores, definition.timestamped)
        }
        return parameters.make(registry.stores(named: parameters.name), definition.timestamped)
    }
}
