import Foundation
import Logging

/// Runs a topology's tasks in the calling thread, with topics kept in memory: the engine of
/// `TopologyTestDriver`.
///
/// It runs the same ``StreamTask``s as the stream threads; only the collector (an in-memory
/// capture that feeds repartition topics back into their tasks) and the clock (advanced by hand)
/// differ. Topics may have several partitions; records are partitioned as a Java producer would.
package final class LocalTopologyRunner {
    /// A record written by the topology.
    package struct OutputRecord: Sendable {
        package var topic: String
        package var partition: Int32
        package var key: [UInt8]?
        package var value: [UInt8]?
        package var timestamp: Int64
        package var headers: RecordHeaders
    }

    private let plan: TopologyPlan
    private let config: StreamsConfig
    private let logger: Logger
    private let stateDirectory: String
    private let collector: Collector
    private var tasks: [TaskID: StreamTask] = [:]
    private var wallClockTime: Int64
    private var roundRobin: [String: Int32] = [:]
    private let topicPartitions: [String: Int32]
    private var offsets: [String: Int64] = [:]
    private let cache: ThreadCache?
    /// Applies records of global tables' topics to the global stores every task reads.
    private var globalTask: GlobalStateTask?

    /// - Parameters:
    ///   - topicPartitions: Partition counts of input and output topics (default 1 each).
    package init(
        topology: Topology, config: StreamsConfig, initialWallClockTime: Int64, topicPartitions: [String: Int32],
        logger: Logger = Logger(label: "kafka-streams.test-driver")
    ) throws {
        try config.validate()
        self.plan = try topology.plan()
        self.config = config
        self.logger = logger
        self.wallClockTime = initialWallClockTime
        self.topicPartitions = topicPartitions
        self.stateDirectory = "\(config.stateDir)/\(config.applicationID)/test-driver-\(UUID().uuidString)"
        self.collector = Collector()
        self.cache = config.cacheMaxBytes > 0 ? ThreadCache(maxBytes: config.cacheMaxBytes) : nil
        for (topic, count) in topicPartitions where count < 1 {
            throw StreamsConfigError(setting: "partitions of \(topic)", message: "must be at least 1, got \(count)")
        }
        // Internal topics get the counts the runtime gives them: repartition topics follow the
        // subtopologies that write them, and joined topics must be co-partitioned.
        let counts = try plan.internalTopicPartitions(external: topicPartitions)
        var internalCounts: [String: Int32] = [:]
        for topic in plan.internalTopics.values {
            internalCounts["\(config.applicationID)-\(topic.name)"] = counts[topic.name] ?? 1
        }
        collector.partitionCounts = topicPartitions.merging(internalCounts) { _, new in new }
        for topic in plan.internalTopics.values where topic.kind == .repartition {
            collector.repartitionTopics["\(config.applicationID)-\(topic.name)"] = topic.name
        }
        if !plan.globalStores.isEmpty {
            globalTask = try GlobalStateTask(
                plan: plan, config: config, directory: "\(stateDirectory)/global", collector: collector, logger: logger,
                wallClock: { [unowned self] in self.wallClockTime })
        }
        // Every task exists from the start, as in Kafka Streams' driver: processors are
        // initialized and wall-clock punctuations fire before the first record.
        for subtopology in plan.subtopologies {
            let partitions = subtopology.sourceTopics.map { topic in
                plan.internalTopics[topic] != nil
                    ? collector.partitionCounts["\(config.applicationID)-\(topic)"] ?? 1 : topicPartitions[topic] ?? 1
            }.max() ?? 1
            for partition in 0..<partitions {
                _ = try task(TaskID(subtopology: subtopology.id, partition: partition))
            }
        }
    }

    /// The current mock wall-clock time in epoch milliseconds.
    package var wallClock: Int64 { wallClockTime }

    /// The application id the runner was configured with.
    package var applicationID: String { config.applicationID }

    /// The partition count of a topic as the runner sees it.
    package func partitionCount(of topic: String) -> Int32 {
        collector.partitionCounts[topic] ?? 1
    }

    /// Sends a record into an input topic and processes everything it causes, repartition
    /// topics included.
    package func pipe(
        topic: String, partition: Int32? = nil, key: [UInt8]?, value: [UInt8]?, timestamp: Int64,
        headers: RecordHeaders = []
    ) throws {
        guard plan.subtopologyByTopic[topic] != nil || plan.globalTopics.contains(topic) else {
            throw StreamsError.invalidState("the topology does not read topic \(topic)")
        }
        let count = partitionCount(of: topic)
        let target: Int32
        if let partition {
            guard partition >= 0 && partition < count else {
                throw StreamsError.invalidState("topic \(topic) has \(count) partitions; there is no partition \(partition)")
            }
            target = partition
        } else if let key {
            target = key.withUnsafeBytes { Murmur2.partition(forKey: $0, partitionCount: count) }
        } else {
            target = roundRobin[topic, default: 0] % count
            roundRobin[topic] = target + 1
        }
        if let globalTask, plan.globalTopics.contains(topic) {
            // A global table's update: applied at once to the store every task reads.
            try processGlobal(globalTask, topic: topic, partition: target, key: key, value: value,
                              timestamp: timestamp, headers: headers)
            return
        }
        try process(topic: topic, logicalTopic: topic, partition: target, key: key, value: value,
                    timestamp: timestamp, headers: headers)
        try drainRepartitionTopics()
        try commit()
    }

    /// Flushes every task after each input, as Kafka Streams' driver commits after each record:
    /// with caching on, updates caused by one input record are coalesced, then forwarded.
    private func commit() throws {
        guard cache != nil else { return }
        repeat {
            for id in tasks.keys.sorted() { try tasks[id]?.flush() }
            try drainRepartitionTopics()
        } while cache.map { $0.count > 0 && tasks.values.contains { $0.hasDirtyCaches } } ?? false
    }

    /// Moves the mock wall clock forward and fires due wall-clock punctuations.
    package func advanceWallClockTime(by milliseconds: Int64) throws {
        wallClockTime += milliseconds
        for id in tasks.keys.sorted() {
            try tasks[id]?.punctuateWallClock()
        }
        try drainRepartitionTopics()
        try commit()
    }

    /// Takes the oldest unread record written to `topic`.
    package func readOutput(topic: String) -> OutputRecord? {
        collector.readOutput(topic)
    }

    /// The number of unread records written to `topic`.
    package func outputQueueSize(topic: String) -> Int {
        collector.outputs[topic]?.count ?? 0
    }

    /// A query view of a store over every task that has it (``StoreQueryParameters``).
    package func store<Store>(_ parameters: StoreQueryParameters<Store>) throws -> Store {
        let name = parameters.name
        if plan.stores[name] == nil, let global = globalTask?.stores[name],
            let definition = plan.globalStore(named: name)?.store
        {
            return try parameters.view(of: [global], definition)
        }
        guard let definition = plan.stores[name] else {
            throw StreamsError.unknownStore(name: name, message: "is not in the topology")
        }
        return try parameters.view(of: tasks.keys.sorted().compactMap { tasks[$0]?.context.byteStores[name] }, definition)
    }

    /// Records dropped by handlers or for null keys, over all tasks.
    package var droppedRecords: Int {
        tasks.values.reduce(globalTask?.context.droppedRecords ?? 0) { $0 + $1.context.droppedRecords }
    }

    /// Records (per window) dropped by windowed aggregations as too late, over all tasks.
    package var droppedLateRecords: Int {
        tasks.values.reduce(0) { $0 + $1.context.droppedLateRecords }
    }

    /// Closes every task and deletes the runner's state directory.
    package func close() throws {
        var firstError: (any Error)?
        for id in tasks.keys.sorted() {
            do { try tasks[id]?.close() } catch { firstError = firstError ?? error }
        }
        tasks.removeAll()
        do { try globalTask?.close() } catch { firstError = firstError ?? error }
        globalTask = nil
        try? FileManager.default.removeItem(atPath: stateDirectory)
        if let firstError { throw firstError }
    }

    // MARK: - Processing

    private func process(
        topic: String, logicalTopic: String, partition: Int32, key: [UInt8]?, value: [UInt8]?, timestamp: Int64,
        headers: RecordHeaders
    ) throws {
        guard let subtopology = plan.subtopologyByTopic[logicalTopic] else { return }
        let task = try task(TaskID(subtopology: subtopology, partition: partition))
        let offsetKey = "\(topic)-\(partition)"
        let offset = offsets[offsetKey, default: 0]
        offsets[offsetKey] = offset + 1
        try withOptionalBytes(key) { keyBytes in
            try withOptionalBytes(value) { valueBytes in
                try task.process(
                    RawRecord(
                        topic: topic, partition: partition, offset: offset, timestamp: timestamp, key: keyBytes,
                        value: valueBytes, headers: headers))
            }
        }
    }

    private func processGlobal(
        _ globalTask: GlobalStateTask, topic: String, partition: Int32, key: [UInt8]?, value: [UInt8]?, timestamp: Int64,
        headers: RecordHeaders
    ) throws {
        let offsetKey = "\(topic)-\(partition)"
        let offset = offsets[offsetKey, default: 0]
        offsets[offsetKey] = offset + 1
        try withOptionalBytes(key) { keyBytes in
            try withOptionalBytes(value) { valueBytes in
                try globalTask.process(
                    RawRecord(
                        topic: topic, partition: partition, offset: offset, timestamp: timestamp, key: keyBytes,
                        value: valueBytes, headers: headers))
            }
        }
    }

    private func drainRepartitionTopics() throws {
        while let record = collector.pendingRepartition.popFirst() {
            guard let logical = collector.repartitionTopics[record.topic] else { continue }
            try process(
                topic: record.topic, logicalTopic: logical, partition: record.partition, key: record.key,
                value: record.value, timestamp: record.timestamp, headers: record.headers)
        }
    }

    private func task(_ id: TaskID) throws -> StreamTask {
        if let task = tasks[id] { return task }
        let context = TaskContext(
            taskID: id, applicationID: config.applicationID, config: config, collector: collector, logger: logger,
            internalTopicNames: Set(plan.internalTopics.keys), cache: cache,
            wallClock: { [unowned self] in self.wallClockTime })
        context.globalStores = globalTask?.stores ?? [:]
        let task = try StreamTask(id: id, plan: plan, context: context, stateDirectory: stateDirectory)
        tasks[id] = task
        return task
    }

    /// Captures what tasks write; repartition records are also queued for their tasks.
    private final class Collector: RecordCollector {
        var outputs: [String: Deque<OutputRecord>] = [:]
        var pendingRepartition = Deque<OutputRecord>()
        var partitionCounts: [String: Int32] = [:]
        /// Broker name → topology name of repartition topics.
        var repartitionTopics: [String: String] = [:]
        private var roundRobin: [String: Int32] = [:]

        func send(
            topic: String, partition: Int32?, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?,
            timestamp: Int64, headers: RecordHeaders
        ) throws {
            let count = partitionCounts[topic] ?? 1
            let target: Int32
            if let partition {
                target = partition
            } else {
                target = roundRobin[topic, default: 0] % count
                roundRobin[topic] = target + 1
            }
            let record = OutputRecord(
                topic: topic, partition: target, key: key.map(Array.init), value: value.map(Array.init),
                timestamp: timestamp, headers: headers)
            outputs[topic, default: Deque()].append(record)
            if repartitionTopics[topic] != nil { pendingRepartition.append(record) }
        }

        func partitionCount(of topic: String) throws -> Int32 {
            partitionCounts[topic] ?? 1
        }

        func readOutput(_ topic: String) -> OutputRecord? {
            outputs[topic]?.popFirst()
        }
    }
}
