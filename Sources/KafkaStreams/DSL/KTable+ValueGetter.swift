extension KTable {
    /// How joins read this table's current values: its store when it is materialized, else a
    /// view computed from the stores of the tables it derives from.
    var valueGetterSupplier: KTableValueGetterSupplier<Key, Value> {
        if let storeName {
            return .store(
                storeName, key: builder.serde(keySerde, node: name), value: builder.serde(valueSerde, node: name))
        }
        if let derivedValueGetter { return derivedValueGetter }
        let name = name
        return KTableValueGetterSupplier(storeNames: []) { _ in
            throw TopologyError.invalidTopology("table \(name) has neither a store nor a view to read it by key")
        }
    }
}
