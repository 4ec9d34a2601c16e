extension Topology {
    /// Adds a window store and connects it to `processors`, which get it as a ``WindowStore``.
    ///
    /// - Throws: ``TopologyError`` for a duplicate name, an unknown processor, or a retention
    ///   period smaller than the window size.
    @discardableResult
    public func addStateStore<Key, Value>(_ builder: WindowStoreBuilder<Key, Value>, processors: [String] = []) throws
        -> Topology
    {
        try builder.supplier.validate()
        try add(store: builder.definition())
        try connectProcessorAndStateStores(processors, stores: [builder.name])
        return self
    }

    /// Adds a session store and connects it to `processors`, which get it as a ``SessionStore``.
    ///
    /// - Throws: ``TopologyError`` for a duplicate name, an unknown processor, or a negative
    ///   retention period.
    @discardableResult
    public func addStateStore<Key, Value>(_ builder: SessionStoreBuilder<Key, Value>, processors: [String] = []) throws
        -> Topology
    {
        try builder.supplier.validate()
        try add(store: builder.definition())
        try connectProcessorAndStateStores(processors, stores: [builder.name])
        return self
    }
}
