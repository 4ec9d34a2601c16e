extension Stores {
    /// A window store kept in memory (a B-tree per segment), restored from its changelog on start.
    ///
    /// - Parameters:
    ///   - retentionPeriod: How long windows are kept behind the latest window start written;
    ///     at least `windowSize` (for windowed aggregations: window size plus grace period).
    ///   - windowSize: The size of the windows, which gives results their window end.
    ///   - retainDuplicates: Whether each put adds an entry instead of replacing the value of the
    ///     key and window (stream-stream joins keep every record).
    public static func inMemoryWindowStore(
        _ name: String, retentionPeriod: Duration, windowSize: Duration, retainDuplicates: Bool
    ) -> WindowBytesStoreSupplier {
        WindowBytesStoreSupplier(
            name: name, retentionPeriod: retentionPeriod, windowSize: windowSize, retainDuplicates: retainDuplicates,
            engine: .inMemory)
    }

    /// A window store kept in RocksDB under the state directory, one database per segment.
    ///
    /// Parameters as ``inMemoryWindowStore(_:retentionPeriod:windowSize:retainDuplicates:)``.
    public static func persistentWindowStore(
        _ name: String, retentionPeriod: Duration, windowSize: Duration, retainDuplicates: Bool
    ) -> WindowBytesStoreSupplier {
        WindowBytesStoreSupplier(
            name: name, retentionPeriod: retentionPeriod, windowSize: windowSize, retainDuplicates: retainDuplicates,
            engine: .persistent)
    }

    /// A session store kept in memory (a B-tree per segment), restored from its changelog on start.
    ///
    /// - Parameter retentionPeriod: How long sessions are kept behind the latest session end
    ///   written (for session aggregations: at least the inactivity gap plus grace period).
    public static func inMemorySessionStore(_ name: String, retentionPeriod: Duration) -> SessionBytesStoreSupplier {
        SessionBytesStoreSupplier(name: name, retentionPeriod: retentionPeriod, engine: .inMemory)
    }

    /// A session store kept in RocksDB under the state directory, one database per segment.
    public static func persistentSessionStore(_ name: String, retentionPeriod: Duration) -> SessionBytesStoreSupplier {
        SessionBytesStoreSupplier(name: name, retentionPeriod: retentionPeriod, engine: .persistent)
    }

    /// A typed window store on a supplier, logged to a changelog topic by default.
    public static func windowStoreBuilder<Key, Value>(
        _ supplier: WindowBytesStoreSupplier, key: Serde<Key>, value: Serde<Value>
    ) -> WindowStoreBuilder<Key, Value> {
        WindowStoreBuilder(supplier: supplier, keySerde: key, valueSerde: value)
    }

    /// A typed session store on a supplier, logged to a changelog topic by default.
    public static func sessionStoreBuilder<Key, Value>(
        _ supplier: SessionBytesStoreSupplier, key: Serde<Key>, value: Serde<Value>
    ) -> SessionStoreBuilder<Key, Value> {
        SessionStoreBuilder(supplier: supplier, keySerde: key, valueSerde: value)
    }
}
