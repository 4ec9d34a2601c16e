import Dispatch
import Foundation
import Logging
import RdKafka
import Synchronization

/// The instance's global thread (Kafka Streams' `GlobalStreamThread`): keeps the global tables'
/// stores up to date from every partition of their topics.
///
/// Its consumer `assign`s all partitions of the global topics (no consumer group). At start it
/// reads each partition to its end (bootstrap) before ``start(plan:config:logger:onFailure:)``
/// returns, so stream threads start with complete global tables; then it applies new records as
/// they arrive. Persistent global stores keep a checkpoint (`<stateDir>/<applicationID>/global/.checkpoint`,
/// written every commit interval) and resume from it; in-memory stores, and persistent ones
/// without a valid checkpoint, are read from the beginning. Stream threads only read the stores.
final class GlobalStreamThread {
    /// What the client and the global thread share: the stores, the stop request, the start
    /// result. Thread-safe.
    final class Control: Sendable {
        private struct Shared {
            var stores: [String: any KeyValueBytesStore & Sendable] = [:]
            var startError: (any Error)?
            var error: (any Error)?
            var finished = false
        }

        private let stopRequested = Atomic<Bool>(false)
        private let shared = Mutex(Shared())
        private let bootstrapped = DispatchSemaphore(value: 0)
        private let exited = DispatchSemaphore(value: 0)

        /// The global stores, for stream tasks and interactive queries.
        var stores: [String: any KeyValueBytesStore & Sendable] { shared.withLock { $0.stores } }
        /// The error that stopped the thread after it had started, if any.
        var error: (any Error)? { shared.withLock { $0.error } }
        var shouldStop: Bool { stopRequested.load(ordering: .relaxed) }
        var isFinished: Bool { shared.withLock { $0.finished } }

        func requestStop() { stopRequested.store(true, ordering: .relaxed) }

        fileprivate func started(stores: [String: any KeyValueBytesStore & Sendable]) {
            shared.withLock { $0.stores = stores }
            bootstrapped.signal()
        }

        fileprivate func failedToStart(_ error: any Error) {
            shared.withLock { $0.startError = error }
            bootstrapped.signal()
        }

        fileprivate func failed(_ error: any Error) {
            shared.withLock { $0.error = $0.error ?? error }
        }

        fileprivate func finish() {
            shared.withLock { $0.finished = true }
            exited.signal()
        }

        /// Blocks until bootstrap ended; throws what made it fail.
        fileprivate func waitUntilStarted() throws {
            bootstrapped.wait()
            if let error = shared.withLock({ $0.startError }) { throw error }
        }

        /// Blocks until the thread has ended or `timeout` passed; returns whether it ended.
        func waitUntilFinished(timeout: Duration) -> Bool {
            let millis = Int(min(timeout.components.seconds, 86_400 * 365)) * 1000
                + Int(timeout.components.attoseconds / 1_000_000_000_000_000)
            guard exited.wait(timeout: .now() + .milliseconds(max(0, millis))) == .success else { return false }
            exited.signal()
            return true
        }
    }

    private let plan: TopologyPlan
    private let config: StreamsConfig
    private let logger: Logger
    private let control: Control
    private let task: GlobalStateTask
    private let consumer: KafkaConsumer
    /// Next offset to read per partition: the last applied + 1.
    private var positions: [TopicPartition: Int64] = [:]
    /// Topics of persistent stores: those are checkpointed.
    private let checkpointedTopics: Set<String>
    private var lastCommit = ContinuousClock.now

    /// Starts the global thread and waits until every global table is read to its end.
    ///
    /// - Parameter onFailure: Called (on the global thread) when the thread fails after it started.
    /// - Throws: What made the bootstrap fail: a store that cannot be opened, an unreachable
    ///   broker, a record that fails processing.
    static func start(
        plan: TopologyPlan, config: StreamsConfig, logger: Logger, onFailure: @escaping @Sendable (any Error) -> Void
    ) throws -> Control {
        let control = Control()
        var threadLogger = logger
        threadLogger[metadataKey: "thread"] = "global"
        let thread = Thread { [threadLogger] in
            OSThreadName.setCurrent("GlobalThread")
            var started = false
            do {
                let globalThread = try GlobalStreamThread(plan: plan, config: config, logger: threadLogger, control: control)
                defer { globalThread.close() }
                try globalThread.bootstrap()
                control.started(stores: globalThread.task.stores)
                started = true
                try globalThread.run()
            } catch {
                threadLogger.error("global stream thread failed", metadata: ["error": "\(error)"])
                if started {
                    control.failed(error)
                    onFailure(error)
                } else {
                    control.failedToStart(error)
                }
            }
            control.finish()
        }
        thread.name = "\(config.applicationID)-GlobalStreamThread"
        thread.start()
        try control.waitUntilStarted()
        return control
    }

    private init(plan: TopologyPlan, config: StreamsConfig, logger: Logger, control: Control) throws {
        self.plan = plan
        self.config = config
        self.logger = logger
        self.control = control
        self.task = try GlobalStateTask(
            plan: plan, config: config, directory: "\(config.stateDir)/\(config.applicationID)/global",
            collector: GlobalCollector(), logger: logger,
            wallClock: { Int64(Date().timeIntervalSince1970 * 1000) })
        self.checkpointedTopics = Set(plan.globalStores.filter { $0.store.engine == .persistent }.map(\.topic))
        let clientID = "\(config.applicationID)-GlobalStreamThread-global-consumer"
        var properties = ClientDefaults.consumer(config, clientID: clientID).properties
        // Assigned, never subscribed or committed: the group id only enables the consumer queue.
        properties["group.id"] = "\(config.applicationID)-global"
        properties["enable.partition.eof"] = "true"
        do {
            self.consumer = try KafkaConsumer(configuration: KafkaConfiguration(properties), logger: logger)
        } catch {
            try? task.close()
            throw StreamsConfigError(setting: "consumerProperties", message: "\(error)")
        }
    }

    /// Assigns every partition of the global topics, from the checkpoint or the beginning, and
    /// applies records until each partition's end.
    private func bootstrap(timeout: Duration = .seconds(300)) throws {
        let checkpoint = readCheckpoint()
        var starts: [TopicPartitionOffset] = []
        for global in plan.globalStores {
            let count: Int
            do {
                count = try consumer.partitionCount(topic: global.topic, timeout: .seconds(15))
            } catch {
                throw StreamsError.brokerUnavailable("cannot read the partitions of global topic \(global.topic): \(error)")
            }
            let partitions = (0..<Int32(count)).map { TopicPartition(topic: global.topic, partition: $0) }
            let offsets = partitions.map { checkpoint.offsets[Checkpoint.Entry(topic: $0.topic, partition: $0.partition)] }
            let resumes = global.store.engine == .persistent && offsets.allSatisfy { $0 != nil }
            if !resumes {
                // No trustworthy local state: start empty and read the whole topic.
                try task.stores[global.store.name]?.removeAll()
            }
            for (partition, offset) in zip(partitions, offsets) {
                let start = resumes ? offset ?? KafkaOffset.beginning : KafkaOffset.beginning
                starts.append(TopicPartitionOffset(topic: partition.topic, partition: partition.partition, offset: start))
                if resumes, let offset { positions[partition] = offset }
            }
            logger.info(
                "restoring global store",
                metadata: ["store": "\(global.store.name)", "topic": "\(global.topic)", "partitions": "\(count)",
                           "from": "\(resumes ? "checkpoint" : "beginning")"])
        }
        try consumer.assign(starts)
        var remaining = Set(starts.map { TopicPartition(topic: $0.topic, partition: $0.partition) })
        var applied = 0
        let deadline = ContinuousClock.now + timeout
        while !remaining.isEmpty {
            guard !control.shouldStop else { return }
            guard ContinuousClock.now < deadline else {
                throw StreamsError.stateStore(
                    store: plan.globalStores.map(\.store.name).joined(separator: ", "),
                    message: "global tables did not reach the end of their topics within \(timeout)")
            }
            applied += try poll(timeout: .milliseconds(100)) { end in remaining.remove(end) }
        }
        try commit()
        logger.info("global stores restored", metadata: ["records": "\(applied)"])
    }

    /// Applies new records until stopped; flushes and checkpoints every commit interval.
    private func run() throws {
        while !control.shouldStop {
            _ = try poll(timeout: .milliseconds(50)) { _ in }
            if ContinuousClock.now - lastCommit >= config.effectiveCommitInterval { try commit() }
        }
        try commit()
    }

    /// Polls one batch and applies it; returns the number of records applied.
    private func poll(timeout: Duration, onEnd: @escaping (TopicPartition) -> Void) throws -> Int {
        try consumer.pollBatch(
            maxMessages: 1000, timeout: timeout,
            onPartitionEOF: { end in
                let partition = TopicPartition(topic: end.topic, partition: end.partition)
                if end.offset >= 0 { self.positions[partition] = end.offset }
                onEnd(partition)
            }
        ) { message in
            let headers: RecordHeaders =
                message.headerCount == 0
                ? [] : RecordHeaders(message.headers.map { RecordHeader(key: $0.name, value: $0.value) })
            try task.process(
                RawRecord(
                    topic: message.topic, partition: message.partition, offset: message.offset,
                    timestamp: message.timestamp, key: message.key, value: message.value, headers: headers))
            positions[TopicPartition(topic: message.topic, partition: message.partition)] = message.offset + 1
        }
    }

    /// Flushes the stores, then checkpoints the offsets of persistent ones.
    private func commit() throws {
        lastCommit = ContinuousClock.now
        try task.flush()
        guard !checkpointedTopics.isEmpty else { return }
        var checkpoint = Checkpoint()
        for (partition, offset) in positions where checkpointedTopics.contains(partition.topic) {
            checkpoint.offsets[Checkpoint.Entry(topic: partition.topic, partition: partition.partition)] = offset
        }
        do {
            try FileManager.default.createDirectory(atPath: task.directory, withIntermediateDirectories: true)
            try checkpoint.write(directory: task.directory)
        } catch {
            throw StreamsError.stateStore(store: "global", message: "cannot write the global checkpoint: \(error)")
        }
    }

    private func readCheckpoint() -> Checkpoint {
        do {
            return try Checkpoint.read(directory: task.directory)
        } catch {
            logger.warning(
                "unreadable global checkpoint: reading every global table from the beginning",
                metadata: ["error": "\(error)"])
            Checkpoint.delete(directory: task.directory)
            return Checkpoint()
        }
    }

    private func close() {
        consumer.close()
        do { try task.close() } catch {
            logger.warning("closing the global stores failed", metadata: ["error": "\(error)"])
        }
    }
}

/// Global tables write no topics: a record that would be sent (a dead-letter record of the
/// deserialization handler) fails instead.
private final class GlobalCollector: RecordCollector {
    func send(
        topic: String, partition: Int32?, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?,
        timestamp: Int64, headers: RecordHeaders
    ) throws {
        throw StreamsError.invalidState("the global thread cannot write to topic \(topic)")
    }

    func partitionCount(of topic: String) throws -> Int32 { 1 }
}
