import RocksDB
import Synchronization

/// The block cache shared by every RocksDB store of the process, sized from
/// `StreamsConfig.stateStoreMemoryBytes`.
enum RocksDBSharedResources {
    private static let cache = Mutex<(bytes: Int, cache: RocksDBCache)?>(nil)

    static func options(for config: StreamsConfig) -> RocksDBOptions {
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
        return options
    }
}
