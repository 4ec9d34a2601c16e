import Foundation

extension StoreDefinition {
    /// Opens the store's byte-level engine for one task: in memory, or RocksDB under
    /// `<taskDirectory>/rocksdb/<store>` with the process's shared options and the application's
    /// `rocksDBConfigSetter`.
    func open(taskDirectory: String?, config: StreamsConfig) throws -> any KeyValueBytesStore & Sendable {
        switch engine {
        case .inMemory:
            return try openInMemoryStore()
        case .persistent:
            guard let taskDirectory else {
                throw StreamsError.stateStore(store: name, message: "no state directory for a persistent store")
            }
            let directory = "\(taskDirectory)/rocksdb/\(name)"
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw StreamsError.stateStore(store: name, message: "cannot create the state directory \(directory): \(error)")
            }
            let options = RocksDBSharedResources.options(
                for: config, store: name, inplaceUpdates: true, memtableFilter: layout != .keyValue)
            return try openPersistentStore(path: directory, options: options)
        }
    }
}
