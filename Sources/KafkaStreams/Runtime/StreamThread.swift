import Foundation
import Logging
import RdKafka
import RocksDB

/// One stream thread: a dedicated OS thread running a synchronous poll → process → produce loop
/// over the tasks of its assigned partitions, committing every `commitInterval`.
///
/// Everything here is confined to that thread: tasks, stores, the record collector. Other threads
/// reach it only through ``StreamThreadControl`` (stop requests, state) and the ``StoreRegistry``.
final class StreamThread {
    let control: StreamThreadControl
    let plan: TopologyPlan
    let config: StreamsConfig
    let registry: StoreRegistry
    let logger: Logger
    let consumer: KafkaConsumer
    /// Replaced when fenced (exactly-once).
    var producer: StreamsProducer
    /// Under exactly-once: `<applicationID>-<processID>-<thread index>`, stable across restarts
    /// with the same state directory; `nil` under at-least-once.
    let transactionalID: String?
    var exactlyOnce: Bool { transactionalID != nil }
    let producerClientID: String
    /// Broker names of the topology's repartition topics.
    let repartitionTopics: Set<String>
    /// Under exactly-once: the offsets this thread knows to be committed per input partition
    /// (read at task creation, advanced by each commit): where an abort rewinds to.
    var committedOffsets: [TopicPartition: Int64] = [:]
    /// Aborted transactions in a row; too many means the cause will not go away.
    var consecutiveAborts = 0
    static let maxConsecutiveAborts = 5
    let stateDirectory: String
    let restorer: StateRestorer
    let metrics: StreamsMetrics
    /// The thread's share of `cacheMaxBytes`; `nil` when caching is off.
    let cache: ThreadCache?
    /// The thread's share of the RocksDB stores' read caches (see ``RocksDBSharedResources``).
    let readCacheBudget: ReadCacheBudget
    let subtopologyByBrokerTopic: [String: Int]
    let internalTopicNames: Set<String>
    /// The instance's global stores (global tables), read by every task.
    let globalStores: [String: any KeyValueBytesStore & Sendable]

    var tasks: [TaskID: StreamTask] = [:]
    var taskByPartition: [TopicPartition: StreamTask] = [:]
    /// Tasks that read more than one partition: their records are merged by timestamp.
    var multiPartitionTasks: Set<TaskID> = []
    /// Next offset to commit per partition: last processed + 1.
    var pendingOffsets: [TopicPartition: Int64] = [:]
    var lastCommit = ContinuousClock.now
    var isPaused = false
    let commitInterval: Duration

    /// Starts a stream thread; it runs until stopped or failed, then calls `control.finish()`.
    static func start(
        control: StreamThreadControl, plan: TopologyPlan, config: StreamsConfig, registry: StoreRegistry,
        logger: Logger, processID: UUID, globalStores: [String: any KeyValueBytesStore & Sendable] = [:]
    ) {
        let thread = Thread {
            OSThreadName.setCurrent("StreamThread-\(control.index)")
            var threadLogger = logger
            threadLogger[metadataKey: "thread"] = "\(control.index)"
            do {
                let streamThread = try StreamThread(
                    control: control, plan: plan, config: config, registry: registry, logger: threadLogger,
                    processID: processID, globalStores: globalStores)
                try streamThread.run()
            } catch {
                threadLogger.error("stream thread failed", metadata: ["error": "\(error)"])
                control.fail(error)
            }
            control.finish()
        }
        thread.name = "\(config.applicationID)-StreamThread-\(control.index)"
        thread.start()
    }

    private init(
        control: StreamThreadControl, plan: TopologyPlan, config: StreamsConfig, registry: StoreRegistry,
        logger: Logger, processID: UUID, globalStores: [String: any KeyValueBytesStore & Sendable]
    ) throws {
        self.control = control
        self.globalStores = globalStores
        self.plan = plan
        self.config = config
        self.registry = registry
        self.logger = logger
        self.commitInterval = config.effectiveCommitInterval
        self.stateDirectory = "\(config.stateDir)/\(config.applicationID)"
        let clientID = "\(config.applicationID)-StreamThread-\(control.index)"
        do {
            self.consumer = try KafkaConsumer(
                configuration: ClientDefaults.consumer(config, clientID: "\(clientID)-consumer"), logger: logger)
        } catch {
            throw StreamsConfigError(setting: "consumerProperties", message: "\(error)")
        }
        self.transactionalID =
            config.processingGuarantee == .exactlyOnceV2
            ? "\(config.applicationID)-\(processID.uuidString.lowercased())-\(control.index)" : nil
        self.producerClientID = "\(clientID)-producer"
        self.repartitionTopics = Set(
            plan.internalTopics.filter { $0.value.kind == .repartition }.keys.map { "\(config.applicationID)-\($0)" })
        self.producer = try StreamsProducer(
            config: config, clientID: producerClientID, transactionalID: transactionalID,
            repartitionTopics: repartitionTopics)
        let cacheBytes = config.cacheMaxBytes / max(1, config.numStreamThreads)
        self.cache = cacheBytes > 0 ? ThreadCache(maxBytes: cacheBytes) : nil
        self.readCacheBudget = ReadCacheBudget(
            capacity: RocksDBSharedResources.readCacheBytes(for: config) / max(1, config.numStreamThreads))
        self.metrics = StreamsMetrics(applicationID: config.applicationID, thread: control.index)
        self.restorer = StateRestorer(config: config, clientID: "\(clientID)-restore-consumer", logger: logger)
        self.internalTopicNames = Set(plan.internalTopics.keys)
        var byTopic: [String: Int] = [:]
        for (topic, subtopology) in plan.subtopologyByTopic {
            let brokerName = internalTopicNames.contains(topic) ? "\(config.applicationID)-\(topic)" : topic
            byTopic[brokerName] = subtopology
        }
        self.subtopologyByBrokerTopic = byTopic
    }

    func run() throws {
        control.setState(.starting)
        // Nothing reads RocksDB's per-operation counters; they cost a few percent of every
        // store access on this thread.
        RocksDB.setPerfCountersEnabled(false)
        if exactlyOnce { try initTransactions() }
        var crashed = false
        try consumer.withRebalanceHandler({ event in self.onRebalance(event) }) {
            do {
                try consumer.subscribe(topics: subtopologyByBrokerTopic.keys.sorted())
                while !control.shouldStop {
                    do {
                        try runOnce()
                    } catch let failure as TransactionFailure {
                        try recoverRepeatedly(from: failure)
                    }
                }
                control.setState(.pendingShutdown)
                try commit()
                closeAllTasks(clean: true)
                consumer.close()
            } catch {
                crashed = error is InjectedCrash
                control.fail(error)
                if exactlyOnce && !crashed { try? producer.abortTransaction() }
                closeAllTasks(clean: false)
                consumer.close()
                throw error
            }
        }
        restorer.close()
        if !crashed { _ = try? producer.flush(timeout: .seconds(30)) }
    }

    /// One iteration: poll a batch and process it, serve delivery reports, punctuate, maybe commit.
    func runOnce() throws {
        if control.shouldPause != isPaused { try setPaused(control.shouldPause) }
        var batch = PollBatchState()
        // Buffered records borrow the batch's buffers: the groups are emptied here, whether the
        // batch was processed or processing threw, so that none outlives the batch's release.
        defer { for id in batch.bufferingTasks { tasks[id]?.buffered.removeAll() } }
        let batchStart = ContinuousClock.now
        let batchSize = try consumer.pollBatch(maxMessages: 1000, timeout: .milliseconds(50)) { message in
            if !batch.continuesRun(message) { try startRun(of: message, in: &batch) }
            if let direct = batch.direct {
                return try batch.processDirectly(message, task: direct.task, source: direct.source)
            }
            guard let task = batch.task else {
                logger.warning("record of an unassigned partition", metadata: ["topic": "\(message.topic)", "partition": "\(message.partition)"])
                return
            }
            // A task reading several partitions buffers (``StreamTask/buffered``) to process in
            // timestamp order once the batch is read; the others took the direct path above.
            // Buffered records keep their headers whole (a source header is checked when they
            // are processed) and borrow their key and value from the batch.
            let (headers, _) = RecordHeaders.read(from: message, takingSourceMark: false)
            task.buffered.add(
                PartitionGroup.BufferedRecord(
                    offset: message.offset, timestamp: message.timestamp, key: message.key, value: message.value,
                    headers: headers),
                to: batch.bufferQueue)
            batch.run += 1
        } afterBatch: {
            // Before the batch is released: the buffered records point into it.
            for id in batch.bufferingTasks.sorted() {
                try tasks[id]?.processBuffered { topic, partition, nextOffset in
                    pendingOffsets[TopicPartition(topic: topic, partition: partition)] = nextOffset
                }
            }
        }
        if let (partition, nextOffset) = batch.endRun() { pendingOffsets[partition] = nextOffset }
        if batchSize > 0 {
            let elapsed = ContinuousClock.now - batchStart
            let nanosPerRecord = (elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000) / Int64(batchSize)
            metrics.pollBatchSize.record(batchSize)
            metrics.producedRecords.increment(by: producer.takeSentCount())
            for (id, count) in batch.processedByTask {
                metrics.processed(id, records: count, nanoseconds: nanosPerRecord * Int64(count))
                if let task = tasks[id] {
                    metrics.dropped(id, total: task.context.droppedRecords, late: task.context.droppedLateRecords)
                }
            }
        }
        if control.state == .partitionsAssigned { control.setState(.running) }
        try handleDeliveryFailures(producer.poll())
        for task in tasks.values { try task.punctuateWallClock() }
        if ContinuousClock.now - lastCommit >= commitInterval || isOverUncommittedBudget {
            try commit()
        }
    }

    /// Starts a run of records of `message`'s partition: ends the previous run, finds the
    /// partition's task, and whether it takes the records directly or buffers them.
    @inline(never)
    private func startRun(of message: borrowing KafkaMessageView, in batch: inout PollBatchState) throws {
        if let (partition, nextOffset) = batch.endRun() { pendingOffsets[partition] = nextOffset }
        let topic = message.topic
        let partition = message.partition
        batch.topic = topic
        batch.partition = partition
        batch.task = taskByPartition[TopicPartition(topic: topic, partition: partition)]
        batch.direct = nil
        guard let task = batch.task else { return }
        // A task reading several partitions buffers them instead.
        if multiPartitionTasks.contains(task.id) {
            batch.bufferQueue = task.buffered.queue(topic: topic, partition: partition)
            batch.bufferingTasks.insert(task.id)
        } else {
            let source = try task.source(of: topic)
            batch.direct = (Unmanaged.passUnretained(task), Unmanaged.passUnretained(source))
            batch.directChecksMarks = task.checksSourceMarks(of: topic)
            batch.directRecord.topic = topic
            batch.directRecord.partition = partition
        }
    }

    /// Pauses or resumes every assigned partition. Paused, the thread commits, then keeps
    /// polling (for rebalances and group membership) without receiving records.
    func setPaused(_ pause: Bool) throws {
        let partitions = Array(taskByPartition.keys)
        if pause {
            try consumer.pause(partitions)
            try commit()
        } else {
            try consumer.resume(partitions)
        }
        isPaused = pause
        control.acknowledgePaused(pause)
        logger.debug(pause ? "processing paused" : "processing resumed")
    }

    // MARK: - Commit

    /// At-least-once commit: outputs acknowledged, stores flushed, then consumer offsets.
    /// Exactly-once: see ``commitTransaction()``.
    func commit(partitions: Set<TopicPartition>? = nil) throws {
        if exactlyOnce {
            try commitTransaction()
            return
        }
        let started = ContinuousClock.now
        defer { recordCommitLatency(since: started) }
        // Cached updates first: they produce output and changelog records that must be
        // acknowledged before offsets are committed.
        for task in tasks.values { try task.flushCaches() }
        try handleDeliveryFailures(producer.flush(timeout: .seconds(60)))
        for task in tasks.values {
            let covered = changelogOffsetsCovered(by: task)
            try storeCheckpointsInStores(task, covered)
            try task.flush()
            try writeCheckpoint(task, covered)
        }
        var offsets: [TopicPartitionOffset] = []
        for (partition, offset) in pendingOffsets where partitions?.contains(partition) ?? true {
            offsets.append(TopicPartitionOffset(topic: partition.topic, partition: partition.partition, offset: offset))
        }
        if !offsets.isEmpty {
            do {
                try consumer.commit(offsets)
                for offset in offsets {
                    pendingOffsets.removeValue(forKey: TopicPartition(topic: offset.topic, partition: offset.partition))
                }
            } catch {
                // The group moved on (rebalance): these records will be processed again elsewhere.
                logger.warning("offset commit failed; records since the last commit may be reprocessed",
                               metadata: ["error": "\(error)"])
            }
        }
        lastCommit = ContinuousClock.now
        if partitions == nil { reportLag() }
    }

    func recordCommitLatency(since started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        metrics.commitLatency.recordNanoseconds(
            elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }

    /// Consumer lag per assigned partition, from librdkafka's cached end offsets.
    func reportLag() {
        let assigned = Array(taskByPartition.keys)
        guard !assigned.isEmpty, let positions = try? consumer.position(assigned) else { return }
        for position in positions where position.offset >= 0 {
            guard let (_, high) = try? consumer.cachedWatermarkOffsets(topic: position.topic, partition: position.partition),
                high >= 0
            else { continue }
            metrics.lag(topic: position.topic, partition: position.partition, lag: max(0, high - position.offset))
        }
    }

    /// Records, for the task's persistent stores, the changelog offset their flushed state covers:
    /// the next offset after the last acknowledged changelog record.
    /// Per persistent logged store, the next changelog offset its state covers once flushed.
    func changelogOffsetsCovered(by task: StreamTask) -> [(store: ChangeLoggingKeyValueBytesStore, next: Int64)] {
        task.changelogs.compactMap { store in
            guard store.isPersistent,
                let acknowledged = producer.acknowledgedChangelogOffset(
                    TopicPartition(topic: store.topic, partition: store.partition))
            else { return nil }
            return (store, acknowledged + 1)
        }
    }

    /// Writes the covered offsets inside the stores that can keep them (RocksDB), before the flush
    /// that makes data and offset durable together.
    func storeCheckpointsInStores(
        _ task: StreamTask, _ covered: [(store: ChangeLoggingKeyValueBytesStore, next: Int64)]
    ) throws {
        for (store, next) in covered {
            try (store.inner as? CheckpointingStore)?.storeCheckpoint(
                topic: store.topic, partition: store.partition, offset: next)
        }
    }

    func writeCheckpoint(
        _ task: StreamTask, _ covered: [(store: ChangeLoggingKeyValueBytesStore, next: Int64)]
    ) throws {
        guard let directory = task.directory else { return }
        var checkpoint = (try? Checkpoint.read(directory: directory)) ?? Checkpoint()
        var changed = false
        for (store, next) in covered {
            let entry = Checkpoint.Entry(topic: store.topic, partition: store.partition)
            if checkpoint.offsets[entry] != next {
                checkpoint.offsets[entry] = next
                changed = true
            }
        }
        guard changed else { return }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try checkpoint.write(directory: directory)
        } catch {
            throw StreamsError.stateStore(store: "task \(task.id)", message: "\(error)")
        }
    }

    func handleDeliveryFailures(_ failures: [DeliveryReport]) throws {
        for report in failures {
            // Under exactly-once, a fenced delivery means another producer took over; records
            // purged from the queue mean the producer gave up on the transaction (fenced or
            // failed): abort, which tells which of the two it was.
            if exactlyOnce, let kafkaError = report.error {
                if kafkaError.isFenced { throw TransactionFailure.fenced(kafkaError) }
                if kafkaError.errorCode == .purgeQueue || kafkaError.errorCode == .purgeInflight {
                    throw TransactionFailure.abortable(kafkaError)
                }
            }
            let error = report.error.map { StreamsError.production(topic: report.topic, message: "\($0)") }
                ?? StreamsError.production(topic: report.topic, message: "delivery failed")
            switch config.productionExceptionHandler.decide(nil, error) {
            case .fail:
                throw error
            case .continue, .deadLetter:
                logger.warning("skipping a record that could not be produced", metadata: ["error": "\(error)"])
            }
        }
    }

    // MARK: - Rebalance

    func onRebalance(_ event: RebalanceEvent) {
        switch event.kind {
        case .assigned:
            control.setState(.partitionsAssigned)
            for partition in event.partitions {
                guard let subtopology = subtopologyByBrokerTopic[partition.topic] else { continue }
                let id = TaskID(subtopology: subtopology, partition: partition.partition)
                do {
                    let task = try tasks[id] ?? createTask(id)
                    taskByPartition[partition] = task
                } catch {
                    logger.error("cannot create task", metadata: ["task": "\(id)", "error": "\(error)"])
                    control.fail(error)
                    control.requestStop()
                }
            }
            updateMultiPartitionTasks()
            if isPaused {
                do { try consumer.pause(event.partitions) } catch {
                    logger.warning("cannot pause newly assigned partitions", metadata: ["error": "\(error)"])
                }
            }
            logger.info("partitions assigned", metadata: ["tasks": "\(tasks.keys.sorted())"])
        case .revoked, .lost:
            control.setState(.partitionsRevoked)
            let revoked = Set(event.partitions)
            // Under exactly-once, lost partitions or a failed commit mean the open transaction
            // (shared by every task of the thread) must be aborted and the kept tasks rolled back.
            var failedTransaction: TransactionFailure?
            if exactlyOnce && event.kind == .lost && producer.inTransaction {
                failedTransaction = .abortable(KafkaError(code: .fail, message: "partitions lost"))
            }
            if event.kind == .revoked {
                do {
                    try commit(partitions: revoked)
                } catch let failure as TransactionFailure {
                    failedTransaction = failure
                } catch {
                    logger.error("commit before revocation failed", metadata: ["error": "\(error)"])
                    control.fail(error)
                    control.requestStop()
                }
            }
            for partition in revoked {
                taskByPartition.removeValue(forKey: partition)
                pendingOffsets.removeValue(forKey: partition)
                committedOffsets.removeValue(forKey: partition)
            }
            let stillOwned = Set(taskByPartition.values.map(\.id))
            for id in tasks.keys where !stillOwned.contains(id) {
                closeTask(id, clean: event.kind == .revoked && failedTransaction == nil)
            }
            updateMultiPartitionTasks()
            if let failedTransaction {
                do {
                    try recoverRepeatedly(from: failedTransaction, rejoin: false)
                } catch {
                    logger.error("cannot recover from a failed transaction at revocation", metadata: ["error": "\(error)"])
                    control.fail(error)
                    control.requestStop()
                }
            }
            logger.info("partitions \(event.kind)", metadata: ["tasks": "\(tasks.keys.sorted())"])
        }
    }

    func updateMultiPartitionTasks() {
        var partitionsPerTask: [TaskID: Int] = [:]
        for task in taskByPartition.values { partitionsPerTask[task.id, default: 0] += 1 }
        multiPartitionTasks = Set(partitionsPerTask.filter { $0.value > 1 }.keys)
    }

    func createTask(_ id: TaskID) throws -> StreamTask {
        let context = TaskContext(
            taskID: id, applicationID: config.applicationID, config: config, collector: producer, logger: logger,
            internalTopicNames: internalTopicNames, cache: cache, readCacheBudget: readCacheBudget,
            wallClock: { Int64(Date().timeIntervalSince1970 * 1000) })
        context.globalStores = globalStores
        let task = try StreamTask(id: id, plan: plan, context: context, stateDirectory: stateDirectory)
        for store in task.changelogs {
            producer.forgetChangelogOffset(TopicPartition(topic: store.topic, partition: store.partition))
        }
        do {
            var committed: [String: Int64]?
            if exactlyOnce {
                // Restoration leaves out changelog records of processing that never committed.
                let inputs = task.inputTopics.map { TopicPartition(topic: $0, partition: id.partition) }
                try learnCommittedOffsets(inputs)
                committed = [:]
                for input in inputs { committed?[input.topic] = committedOffsets[input] }
            }
            metrics.restored(id, records: try restorer.restore(task, committedInputOffsets: committed))
            if exactlyOnce { try task.loadSourceHighWater() }
        } catch {
            try? task.close()
            throw error
        }
        tasks[id] = task
        registry.register(id, context.byteStores)
        return task
    }

    func closeTask(_ id: TaskID, clean: Bool) {
        guard let task = tasks.removeValue(forKey: id) else { return }
        registry.unregister(id)
        metrics.forget(id)
        do {
            try task.close()
        } catch {
            logger.warning("closing task failed", metadata: ["task": "\(id)", "clean": "\(clean)", "error": "\(error)"])
        }
    }

    func closeAllTasks(clean: Bool) {
        for id in tasks.keys.sorted() { closeTask(id, clean: clean) }
        taskByPartition.removeAll()
    }
}
