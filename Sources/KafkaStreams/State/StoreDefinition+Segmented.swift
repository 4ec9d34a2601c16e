import RocksDB

extension StoreDefinition {
    /// The kind of store and its key layout.
    enum Layout: Sendable, Equatable {
        /// A key-value store.
        case keyValue
        /// A window store (``WindowKeySchema``), times in milliseconds; `windowSize` makes a
        /// window's end from its start (``ReadOnlyWindowStore``).
        case window(retentionPeriod: Int64, segmentInterval: Int64, windowSize: Int64)
        /// A session store (``SessionKeySchema``), times in milliseconds.
        case session(retentionPeriod: Int64, segmentInterval: Int64)
    }

    /// Kafka Streams' default segment interval: half the retention period, at least one minute.
    static func defaultSegmentInterval(retentionPeriod: Int64) -> Int64 {
        max(retentionPeriod / 2, 60_000)
    }

    /// Kafka Streams' `windowstore.changelog.additional.retention.ms` default: one day.
    static let windowedChangelogAdditionalRetention: Int64 = 86_400_000

    /// The changelog topic configs of window and session stores: compacted and deleted after the
    /// store's retention period plus one day, as Kafka Streams creates them.
    static func windowedChangelogConfigs(retentionPeriod: Int64) -> [String: String] {
        let (retention, overflow) = retentionPeriod.addingReportingOverflow(windowedChangelogAdditionalRetention)
        return ["cleanup.policy": "compact,delete", "retention.ms": String(overflow ? .max : retention)]
    }

    /// Opens the byte store of one task's in-memory store.
    func openInMemoryStore() throws -> any KeyValueBytesStore & Sendable {
        switch layout {
        case .keyValue:
            return InMemoryKeyValueStore(name: name)
        case .window(let retention, let interval, _):
            return try SegmentedBytesStore<WindowKeySchema>(
                name: name, retentionPeriod: retention, segmentInterval: interval, backend: .inMemory)
        case .session(let retention, let interval):
            return try SegmentedBytesStore<SessionKeySchema>(
                name: name, retentionPeriod: retention, segmentInterval: interval, backend: .inMemory)
        }
    }

    /// Opens the byte store of one task's persistent store in `path`, which exists: the database
    /// itself for a key-value store, the directory of its segments' databases otherwise.
    func openPersistentStore(path: String, options: RocksDBOptions) throws -> any KeyValueBytesStore & Sendable {
        switch layout {
        case .keyValue:
            return try RocksDBKeyValueStore(name: name, path: path, options: options)
        case .window(let retention, let interval, _):
            return try SegmentedBytesStore<WindowKeySchema>(
                name: name, retentionPeriod: retention, segmentInterval: interval,
                backend: .rocksDB(directory: path, options: options))
        case .session(let retention, let interval):
            return try SegmentedBytesStore<SessionKeySchema>(
                name: name, retentionPeriod: retention, segmentInterval: interval,
                backend: .rocksDB(directory: path, options: options))
        }
    }
}

extension SegmentedBytesStore {
    /// The segmented store a task opened for a window or session store (with
    /// ``StoreDefinition/openInMemoryStore()`` or ``StoreDefinition/openPersistentStore(path:options:)``):
    /// the task's byte store of that name, or what `store` wraps in changelog layers.
    static func opened(named name: String, in task: TaskContext, under store: any KeyValueBytesStore)
        -> SegmentedBytesStore<Schema>
    {
        if let segmented = task.byteStores[name] as? SegmentedBytesStore<Schema> { return segmented }
        guard let segmented = ChangeLoggingKeyValueBytesStore.unwrap(store) as? SegmentedBytesStore<Schema> else {
            preconditionFailure("store \(name) is not a \(SegmentedBytesStore<Schema>.self)")
        }
        return segmented
    }

    /// A store outside any task, for `build(directory:)`.
    static func standalone(
        name: String, engine: StoreDefinition.Engine, retentionPeriod: Int64, segmentInterval: Int64,
        directory: String?
    ) throws -> SegmentedBytesStore<Schema> {
        switch engine {
        case .inMemory:
            return try SegmentedBytesStore(
                name: name, retentionPeriod: retentionPeriod, segmentInterval: segmentInterval, backend: .inMemory)
        case .persistent:
            guard let directory else {
                throw StreamsError.stateStore(store: name, message: "a persistent store needs a directory")
            }
            var config = StreamsConfig(applicationID: "standalone", bootstrapServers: "unused:9092")
            config.stateDir = directory
            return try SegmentedBytesStore(
                name: name, retentionPeriod: retentionPeriod, segmentInterval: segmentInterval,
                backend: .rocksDB(
                    directory: directory,
                    options: RocksDBSharedResources.options(for: config, store: name, memtableFilter: true)))
        }
    }
}

extension ChangeLoggingKeyValueBytesStore {
    /// The store under any changelog and read-cache layers (which read straight through to it).
    static func unwrap(_ store: any KeyValueBytesStore) -> any KeyValueBytesStore {
        var inner = store
        while true {
            if let logging = inner as? ChangeLoggingKeyValueBytesStore {
                inner = logging.inner
            } else if let cached = inner as? any ReadCachingLayer {
                inner = cached.cachedStore
            } else {
                return inner
            }
        }
    }
}
