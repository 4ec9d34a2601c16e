import Foundation
import Logging

/// One subtopology running on one partition: its processor nodes and state stores.
///
/// The same task code runs under the stream threads and under `TopologyTestDriver`: only the
/// record collector and the clock differ. A task is used by one thread at a time.
final class StreamTask {
    let id: TaskID
    let context: TaskContext
    private let nodes: [ProcessorNodeBase]
    private let sourcesByTopic: [String: SourceNodeBase]
    private var isClosed = false
    /// The task's directory under the state directory (checkpoint, RocksDB stores).
    let directory: String?
    /// Held while the task is open: no other instance may use this task's state meanwhile.
    private let directoryLock: TaskDirectoryLock?
    /// Stores backed by changelog topics, in the order of the subtopology.
    private(set) var changelogs: [ChangeLoggingKeyValueBytesStore] = []
    /// Stores behind the thread's record cache.
    private var cachingStores: [CachingKeyValueBytesStore] = []
    /// Under exactly-once: the transaction buffers over the task's key-value stores, each with
    /// its changelog (if logged), applied when the thread's transaction commits.
    private(set) var transactionStores: [(buffer: TransactionBufferingKeyValueBytesStore, changelog: ChangeLoggingKeyValueBytesStore?)] = []
    /// Under exactly-once: the repartition topics (broker names) the task reads, whose copies of
    /// aborted records it skips, and what it accepted from each upstream partition.
    private let repartitionInputs: Set<String>
    private var sourceHighWater = SourceHighWater()
    private var sourceHighWaterChanged = false
    private let exactlyOnce: Bool
    private let transactionalProducer: StreamsProducer?

    /// Builds the task: opens its stores, makes and wires its nodes, and initializes them.
    init(id: TaskID, plan: TopologyPlan, context: TaskContext, stateDirectory: String?) throws {
        self.id = id
        self.context = context
        self.directory = stateDirectory.map { "\($0)/\(id)" }
        self.directoryLock = try directory.map { try TaskDirectoryLock(directory: $0) }
        let subtopology = plan.subtopologies[id.subtopology]
        var changelogs: [ChangeLoggingKeyValueBytesStore] = []
        var cachingStores: [CachingKeyValueBytesStore] = []
        var transactionStores: [(buffer: TransactionBufferingKeyValueBytesStore, changelog: ChangeLoggingKeyValueBytesStore?)] = []
        let exactlyOnce = context.config.processingGuarantee == .exactlyOnceV2

        for storeName in subtopology.storeNames {
            guard let definition = plan.stores[storeName] else {
                throw TopologyError.unknownStore(node: "task \(id)", store: storeName)
            }
            let bytes = try definition.open(taskDirectory: directory, config: context.config)
            // Queries read the committed data: under exactly-once, the store beneath the buffer.
            // They read RocksDB directly, never through the thread's read cache.
            context.byteStores[storeName] = bytes
            var logged: any KeyValueBytesStore = bytes
            if let budget = context.readCacheBudget {
                if let rocksDB = bytes as? RocksDBKeyValueStore {
                    logged = ReadCachingKeyValueBytesStore(inner: rocksDB, budget: budget)
                } else if let segmented = bytes as? any RetentionBoundedBytesStore, segmented.isPersistent {
                    // Window and session stores on RocksDB; in memory, a B-tree read is cheap.
                    logged = ReadCachingSegmentedBytesStore(inner: segmented, budget: budget)
                }
            }
            var buffer: TransactionBufferingKeyValueBytesStore?
            if exactlyOnce, let atomic = logged as? any KeyValueBytesStore & AtomicBatchWriting {
                // Window and session stores (segmented) write through: see docs/exactly-once.md.
                buffer = TransactionBufferingKeyValueBytesStore(
                    inner: atomic, maxPendingBytes: context.config.stateStoreUncommittedMaxBytes)
                logged = buffer!
            }
            var changelog: ChangeLoggingKeyValueBytesStore?
            if definition.loggingEnabled {
                let logging = ChangeLoggingKeyValueBytesStore(
                    inner: logged, topic: context.brokerTopic(definition.changelogTopic), partition: id.partition,
                    timestamped: definition.timestamped, task: context)
                changelogs.append(logging)
                changelog = logging
                logged = logging
            }
            if let buffer { transactionStores.append((buffer, changelog)) }
            if definition.cachingEnabled, let cache = context.cache {
                let caching = CachingKeyValueBytesStore(inner: logged, cache: cache, task: context)
                cachingStores.append(caching)
                logged = caching
            }
            context.loggedStores[storeName] = logged
            context.stores[storeName] = definition.makeTypedStore(logged, context)
        }

        var made: [String: ProcessorNodeBase] = [:]
        var nodes: [ProcessorNodeBase] = []
        var sources: [String: SourceNodeBase] = [:]
        for name in subtopology.nodeNames {
            guard let definition = plan.node(name) else { continue }
            let node = try definition.make(context)
            node.setConnectedStores(definition.stores)
            made[name] = node
            nodes.append(node)
            for parent in definition.parents {
                guard let parentNode = made[parent] else {
                    throw TopologyError.unknownParent(node: name, parent: parent)
                }
                try parentNode.connect(child: node)
            }
            if case .source(let topics) = definition.kind, let source = node as? SourceNodeBase {
                for topic in topics { sources[context.brokerTopic(topic)] = source }
            }
        }
        self.nodes = nodes
        self.sourcesByTopic = sources
        self.exactlyOnce = exactlyOnce
        context.singleInputTopic = sources.count == 1 ? sources.keys.first : nil
        self.transactionalProducer = exactlyOnce ? context.collector as? StreamsProducer : nil
        self.repartitionInputs =
            exactlyOnce
            ? Set(plan.internalTopics.filter { $0.value.kind == .repartition }.keys.map { context.brokerTopic($0) })
                .intersection(sources.keys) : []
        self.changelogs = changelogs
        self.cachingStores = cachingStores
        self.transactionStores = transactionStores
        for node in nodes {
            context.currentNode = node.name
            try node.initialize(context)
        }
        context.currentNode = nil
    }

    /// The topics (broker names) this task reads.
    var inputTopics: Dictionary<String, SourceNodeBase>.Keys { sourcesByTopic.keys }

    /// Processes one record of one of the task's input partitions, then due stream-time
    /// punctuations. The source extracts the record's timestamp and advances stream time.
    func process(_ raw: RawRecord) throws {
        // Consecutive records mostly share a topic: skip the dictionary lookup then.
        let source: SourceNodeBase
        if let last = lastSource, raw.topic == lastSourceTopic {
            source = last
        } else {
            source = try self.source(of: raw.topic)
            lastSource = source
            lastSourceTopic = raw.topic
        }
        try process(raw, from: source)
    }

    /// Whether records of `topic` carry a ``SourceHighWater`` header this task checks: its
    /// repartition inputs under exactly-once. The stream thread then reads the header in place
    /// (``RawRecord/sourceMark``) instead of copying it into the record's headers.
    func checksSourceMarks(of topic: String) -> Bool {
        exactlyOnce && repartitionInputs.contains(topic)
    }

    /// The source node that reads `topic` (a broker name).
    func source(of topic: String) throws -> SourceNodeBase {
        guard let found = sourcesByTopic[topic] else {
            throw StreamsError.invalidState("task \(id) does not read topic \(topic)")
        }
        return found
    }

    /// ``process(_:)`` with the record's source node already looked up (``source(of:)``): the
    /// stream thread looks it up once per run of records of one partition, not per record.
    func process(_ raw: RawRecord, from source: SourceNodeBase) throws {
        if exactlyOnce {
            try processExactlyOnce(raw, from: source)
        } else {
            try processInput(raw, from: source)
        }
    }

    /// ``process(_:from:)`` of a record the caller keeps in a variable and reuses (the stream
    /// thread's direct path): lent `inout`, it is not copied (its topic and headers retained and
    /// released) as a captured variable passed by value is.
    func process(_ raw: inout RawRecord, from source: SourceNodeBase) throws {
        if exactlyOnce {
            try processExactlyOnce(raw, from: source)
        } else {
            try processInput(raw, from: source)
        }
    }

    /// Under exactly-once: drops a repartition record already processed (``SourceHighWater``),
    /// and marks the input record's processing for the headers of what it writes.
    @inline(never)
    private func processExactlyOnce(_ raw: RawRecord, from source: SourceNodeBase) throws {
        var raw = raw
        if let mark = raw.sourceMark {
            guard sourceHighWater.accept(mark) else { return }
            sourceHighWaterChanged = true
        } else if !repartitionInputs.isEmpty, !raw.headers.isEmpty, repartitionInputs.contains(raw.topic),
            let source = raw.headers.last(SourceHighWater.header)
        {
            raw.headers.remove(SourceHighWater.header)
            if let bytes = source.value {
                guard sourceHighWater.accept(bytes) else { return }
                sourceHighWaterChanged = true
            }
        }
        context.isProcessingInput = true
        context.repartitionSequence = 0
        transactionalProducer?.activeTask = context
        defer { context.isProcessingInput = false }
        try processInput(raw, from: source)
    }

    /// Processes one input record, then due stream-time punctuations.
    @inline(__always)
    private func processInput(_ raw: borrowing RawRecord, from source: SourceNodeBase) throws {
        context.setRecordPosition(topic: raw.topic, partition: raw.partition, offset: raw.offset)
        context.currentRecordTimestamp = raw.timestamp
        // Most records have no headers: skip the assignment's retain and release then.
        if !raw.headers.isEmpty || !context.currentHeaders.isEmpty { context.currentHeaders = raw.headers }
        context.currentRawKey = raw.key
        context.currentRawValue = raw.value
        defer {
            context.currentRawKey = nil
            context.currentRawValue = nil
            // Usually already `nil`: skip the release of an empty value then.
            if context.currentNode != nil { context.currentNode = nil }
        }
        do {
            try source.process(raw)
        } catch let error as StreamsError {
            throw error
        } catch let failure as TransactionFailure {
            throw failure
        } catch {
            try handleProcessingError(error)
        }
        context.clearRecordPosition()
        if context.streamTime >= context.punctuations.streamTimeDue {
            try punctuate(.streamTime, now: context.streamTime)
        }
    }

    private var lastSourceTopic = ""
    private var lastSource: SourceNodeBase?

    /// Records waiting to be processed in timestamp order (tasks with several input partitions):
    /// filled and drained within one poll batch, whose buffers they borrow. Unchecked for
    /// exclusive access: only the stream thread touches it, in accesses that end before a record
    /// is processed; checked, each record paid two dynamic checks (~180 instructions).
    @exclusivity(unchecked) var buffered = PartitionGroup()

    /// Processes every buffered record, smallest timestamp first, then calls `processed` with
    /// each partition that had records and the offset after its last. When processing throws,
    /// nothing is reported, as the thread fails or rolls its tasks back. The stream thread, which
    /// lends the batch, empties the group when the batch ends (``PartitionGroup/removeAll()``).
    func processBuffered(_ processed: (_ topic: String, _ partition: Int32, _ nextOffset: Int64) -> Void) throws {
        while let (topic, partition, record) = buffered.next() {
            try process(
                RawRecord(
                    topic: topic, partition: partition, offset: record.offset, timestamp: record.timestamp,
                    key: record.key, value: record.value, headers: record.headers))
        }
        for position in buffered.nextOffsets { processed(position.topic, position.partition, position.offset) }
    }

    /// Fires due wall-clock punctuations.
    func punctuateWallClock() throws {
        try punctuate(.wallClockTime, now: context.wallClock())
    }

    private func punctuate(_ type: PunctuationType, now: Int64) throws {
        guard now != TaskContext.unknownTime else { return }
        try context.punctuations.punctuate(type, now: now) { entry, time in
            context.recordMetadata = nil
            context.currentRecordTimestamp = time
            context.currentNode = entry.nodeName
            do {
                try entry.callback(time)
            } catch let error as StreamsError {
                throw error
            } catch let failure as TransactionFailure {
                throw failure
            } catch {
                try handleProcessingError(error)
            }
            context.currentNode = nil
        }
    }

    private func handleProcessingError(_ error: any Error) throws {
        let node = context.currentNode ?? "?"
        switch context.config.processingExceptionHandler.decide(context.errorContext, error) {
        case .fail:
            context.logger.error(
                "processor failed (processing handler)",
                metadata: ["task": "\(id)", "node": "\(node)", "error": "\(error)"])
            throw StreamsError.processing(node: node, taskID: id.description, message: "\(error)")
        case .continue:
            context.droppedRecords += 1
            context.logger.warning(
                "skipping a record a processor failed on", metadata: ["task": "\(id)", "node": "\(node)", "error": "\(error)"])
        case .deadLetter(let topic):
            context.droppedRecords += 1
            try context.sendToDeadLetterTopic(topic, error: error)
        }
    }

    /// Whether any of the task's cached stores holds unflushed updates.
    var hasDirtyCaches: Bool { cachingStores.contains(where: \.hasDirtyEntries) }

    /// Flushes the record cache: what it held is written to the stores and changelogs and
    /// forwarded downstream.
    func flushCaches() throws {
        // Flushing one store's cache forwards records that may dirty another's: repeat until
        // every cache is clean (a topology is acyclic, so this ends).
        for _ in 0...cachingStores.count {
            for store in cachingStores { try store.flushCache() }
            if !cachingStores.contains(where: \.hasDirtyEntries) { break }
        }
    }

    // MARK: - Exactly-once

    /// The bytes of store writes waiting for the transaction to commit.
    var uncommittedBytes: Int { transactionStores.reduce(0) { $0 + $1.buffer.pendingBytes } }

    /// Applies every store's buffered writes after the transaction committed, each in one atomic
    /// write together with the changelog offset its data then covers (`checkpoint(changelog)`).
    func applyCommittedTransaction(checkpoint: (ChangeLoggingKeyValueBytesStore) -> Int64?) throws {
        for (index, (buffer, changelog)) in transactionStores.enumerated() {
            let covered = changelog.flatMap { changelog in
                checkpoint(changelog).map {
                    ChangelogCheckpoint(topic: changelog.topic, partition: changelog.partition, offset: $0)
                }
            }
            // The high-water marks live with the first store's data.
            let marks = index == 0 && sourceHighWaterChanged ? sourceHighWater.serialized : nil
            try buffer.commit(checkpoint: covered, sourceHighWater: marks)
        }
        sourceHighWaterChanged = false
    }

    /// Under exactly-once: reads the source high-water marks the last commit stored.
    func loadSourceHighWater() throws {
        guard !repartitionInputs.isEmpty, let first = transactionStores.first,
            let bytes = try (first.buffer.inner as? CheckpointingStore)?.storedSourceHighWater(),
            let marks = SourceHighWater(serialized: bytes)
        else { return }
        sourceHighWater = marks
    }

    /// Repartition records skipped as copies of ones already processed.
    var duplicatesSkipped: Int { sourceHighWater.duplicatesSkipped }

    /// Flushes the record cache and the task's stores.
    func flush() throws {
        try flushCaches()
        for store in context.stores.values { try store.flush() }
    }

    /// Closes nodes and stores; safe to call twice.
    func close() throws {
        guard !isClosed else { return }
        isClosed = true
        // The producer holds the task being processed: let go of this one (a cycle otherwise).
        if transactionalProducer?.activeTask === context { transactionalProducer?.activeTask = nil }
        var firstError: (any Error)?
        for node in nodes {
            do { try node.close() } catch { firstError = firstError ?? error }
        }
        for store in context.stores.values {
            do { try store.close() } catch { firstError = firstError ?? error }
        }
        directoryLock?.release()
        if let firstError { throw firstError }
    }
}
