extension StreamsBuilder {
    /// Adds a window store for Processor API processors (`process(stores:)`) to use; errors are
    /// thrown by `build()`.
    @discardableResult
    public func addStateStore<K, V>(_ store: WindowStoreBuilder<K, V>) -> StreamsBuilder {
        record {
            try store.supplier.validate()
            try topology.add(store: store.definition())
        }
        return self
    }

    /// Adds a session store for Processor API processors (`process(stores:)`) to use; errors are
    /// thrown by `build()`.
    @discardableResult
    public func addStateStore<K, V>(_ store: SessionStoreBuilder<K, V>) -> StreamsBuilder {
        record {
            try store.supplier.validate()
            try topology.add(store: store.definition())
        }
        return self
    }
}
