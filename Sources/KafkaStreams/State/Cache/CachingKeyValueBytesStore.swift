/// Puts the thread's record cache in front of a store: writes go to the cache and reach the store
/// (and its changelog) only when flushed at commit or evicted; reads see the cache first.
///
/// A DSL processor that owns the store forwards its results from the flush listener instead of on
/// every update, so downstream sees one update per key per commit interval (or eviction), as in
/// Kafka Streams with `statestore.cache.max.bytes > 0`. Range reads flush first, then read the store.
final class CachingKeyValueBytesStore: KeyValueBytesStore {
    typealias FlushListener = (_ key: [UInt8], _ newValue: [UInt8]?, _ oldValue: [UInt8]?, ThreadCache.RecordContext) throws -> Void

    let inner: any KeyValueBytesStore
    private let cache: ThreadCache
    private unowned let task: TaskContext
    private var namespace = -1
    private var flushListener: FlushListener?

    var name: String { inner.name }
    var isPersistent: Bool { inner.isPersistent }

    init(inner: any KeyValueBytesStore, cache: ThreadCache, task: TaskContext) {
        self.inner = inner
        self.cache = cache
        self.task = task
        self.namespace = cache.register { [unowned self] key, entry in try self.write(key, entry) }
    }

    /// Called with each flushed change; set by the processor that owns the store.
    func setFlushListener(_ listener: @escaping FlushListener) {
        flushListener = listener
    }

    func get(_ key: [UInt8]) throws -> [UInt8]? {
        if let entry = cache.get(namespace, key) { return entry.value }
        return try inner.get(key)
    }

    func put(_ key: [UInt8], _ value: [UInt8]) throws {
        try cache.put(namespace, key, ThreadCache.Entry(value: value, isDirty: true, context: currentContext))
    }

    @discardableResult
    func delete(_ key: [UInt8]) throws -> [UInt8]? {
        let old = try get(key)
        try cache.put(namespace, key, ThreadCache.Entry(value: nil, isDirty: true, context: currentContext))
        return old
    }

    func range(from: [UInt8]?, to: [UInt8]?, reverse: Bool) throws -> [(key: [UInt8], value: [UInt8])] {
        try cache.flush(namespace)
        return try inner.range(from: from, to: to, reverse: reverse)
    }

    func approximateNumEntries() throws -> Int { try inner.approximateNumEntries() }

    func removeAll() throws {
        cache.unregister(namespace)
        namespace = cache.register { [unowned self] key, entry in try self.write(key, entry) }
        try inner.removeAll()
    }

    /// Writes the cache's dirty entries (forwarding them), then flushes the store.
    func flushCache() throws {
        try cache.flush(namespace)
    }

    var hasDirtyEntries: Bool { cache.hasDirtyEntries(namespace) }

    func flush() throws {
        try cache.flush(namespace)
        try inner.flush()
    }

    func close() throws {
        cache.unregister(namespace)
        try inner.close()
    }

    private var currentContext: ThreadCache.RecordContext {
        ThreadCache.RecordContext(
            timestamp: task.currentRecordTimestamp, headers: task.currentHeaders, metadata: task.recordMetadata)
    }

    /// Writes one entry to the store and tells the listener, in the context of the record that
    /// wrote it (so changelog timestamps and downstream metadata are that record's).
    private func write(_ key: [UInt8], _ entry: ThreadCache.Entry) throws {
        let old = try inner.get(key)
        // Never in the store and deleted in the cache: nothing to write or forward.
        if entry.value == nil && old == nil { return }
        let saved = (task.currentRecordTimestamp, task.recordMetadata, task.currentHeaders)
        task.currentRecordTimestamp = entry.context.timestamp
        task.recordMetadata = entry.context.metadata
        task.currentHeaders = entry.context.headers
        task.cacheForwardingDepth += 1
        defer {
            (task.currentRecordTimestamp, task.recordMetadata, task.currentHeaders) = saved
            task.cacheForwardingDepth -= 1
        }
        if let value = entry.value {
            try inner.put(key, value)
        } else {
            try inner.delete(key)
        }
        try flushListener?(key, entry.value, old, entry.context)
    }
}
