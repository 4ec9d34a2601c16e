import RocksDB
import Synchronization

/// The block cache shared by every RocksDB store of the process, sized from
/// `StreamsConfig.stateStoreMemoryBytes`.
enum RocksDBSharedResources {
    private static let cache = Mutex<(bytes: Int, cache: RocksDBCache)?>(nil)

    /// The options of one store's database: the shared cache and write-buffer budget, then the
    /// application's `rocksDBConfigSetter`, if any.
    static func options(for config: StreamsConfig, store: String) -> RocksDBOptions {
        var options = RocksDBOptions()
        options.createIfMissing = true
        let budget = config.stateStoreMemoryBytes
        options.blockCache = cache.withLock { shared in
            if let shared, shared.bytes == budget { return shared.cache }
            let made = RocksDBCache(capacity: budget / 2)
            shared = (budget, made)
            return made
        }
        // Write buffers take the other half of the budget, across all stores.
        options.dbWriteBufferSize = budget / 2
        options.writeBufferSize = min(16 * 1024 * 1024, max(1024 * 1024, budget / 8))
        config.rocksDBConfigSetter?(store, &options)
        return options
    }
}
