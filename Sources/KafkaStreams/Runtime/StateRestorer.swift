import Foundation
import Logging
import RdKafka

/// Restores a task's stores from their changelog topics before the task processes.
///
/// Persistent stores restore from their checkpointed offset (the tail only); in-memory stores,
/// and persistent stores without a valid checkpoint, are wiped and restored from the beginning.
/// Reading stops at each partition's end, detected by librdkafka's end-of-partition event (more
/// reliable across brokers than a high watermark read up front).
///
/// Under exactly-once the restore consumer reads `read_committed`, only stores under a
/// transaction buffer trust their in-store offset (the others restore in full), and changelog
/// records whose origin input record lies at or after the task's committed input offset are left
/// out: they were written by processing whose transaction never committed (brokers that do not
/// filter aborted transactions still hand them out).
final class StateRestorer {
    private let config: StreamsConfig
    private let logger: Logger
    private let clientID: String
    private var consumer: KafkaConsumer?

    init(config: StreamsConfig, clientID: String, logger: Logger) {
        self.config = config
        self.clientID = clientID
        self.logger = logger
    }

    private func restoreConsumer() throws -> KafkaConsumer {
        if let consumer { return consumer }
        var properties = ClientDefaults.consumer(config, clientID: clientID).properties
        // Assigned, never subscribed or committed: the group id only enables the consumer queue.
        properties["group.id"] = "\(config.applicationID)-restore-\(clientID)"
        properties["enable.partition.eof"] = "true"
        // Reaching the end of an empty or caught-up changelog should not wait for a full fetch.
        if config.consumerProperties["fetch.wait.max.ms"] == nil { properties["fetch.wait.max.ms"] = "10" }
        let consumer = try KafkaConsumer(configuration: KafkaConfiguration(properties), logger: logger)
        self.consumer = consumer
        return consumer
    }

    /// Restores every logged store of `task`; returns the number of records applied.
    ///
    /// - Parameter committedInputOffsets: under exactly-once, the committed offset of each input
    ///   topic of the task (broker name; negative when nothing is committed); `nil` otherwise.
    @discardableResult
    func restore(
        _ task: StreamTask, committedInputOffsets: [String: Int64]? = nil, timeout: Duration = .seconds(300)
    ) throws -> Int {
        let exactlyOnce = committedInputOffsets != nil
        var leftOut = 0
        let singleInputTopic = task.context.singleInputTopic
        guard !task.changelogs.isEmpty else { return 0 }
        let checkpoint = readCheckpoint(task)
        var starts: [TopicPartitionOffset] = []
        var stores: [TopicPartition: ChangeLoggingKeyValueBytesStore] = [:]
        for store in task.changelogs {
            let partition = TopicPartition(topic: store.topic, partition: store.partition)
            stores[partition] = store
            // The offset inside the store is written with its data; the file may lag or be gone.
            let inStore = try? (store.committedStore as? CheckpointingStore)?.storedCheckpoint(
                topic: store.topic, partition: store.partition)
            let checkpointed = inStore ?? checkpoint.offsets[Checkpoint.Entry(topic: store.topic, partition: store.partition)]
            // Under exactly-once only a transaction-buffered store is never ahead of its offset.
            let trusted = !exactlyOnce || store.inner is TransactionBufferingKeyValueBytesStore
            if store.isPersistent, trusted, let checkpointed {
                starts.append(TopicPartitionOffset(topic: store.topic, partition: store.partition, offset: checkpointed))
            } else {
                // No trustworthy local state: start empty.
                try store.committedStore.removeAll()
                starts.append(TopicPartitionOffset(topic: store.topic, partition: store.partition, offset: KafkaOffset.beginning))
            }
        }
        let consumer = try restoreConsumer()
        try consumer.assign(starts)
        defer { try? consumer.assign([]) }

        var remaining = Set(stores.keys)
        var restored: [TopicPartition: Int] = [:]
        var endOffsets: [TopicPartition: Int64] = [:]
        let started = ContinuousClock.now
        for start in starts {
            let high = (try? consumer.watermarkOffsets(topic: start.topic, partition: start.partition, timeout: .seconds(10)))?.high ?? -1
            let from = max(start.offset, 0)
            logger.info(
                "restoring state store",
                metadata: ["task": "\(task.id)", "changelog": "\(start.topic)-\(start.partition)", "from": "\(from)", "to": "\(high)"])
            config.stateRestoreListener?.onRestoreStart(
                start.topic, start.partition, stores[TopicPartition(topic: start.topic, partition: start.partition)]?.name ?? "",
                from, high)
        }
        let deadline = ContinuousClock.now + timeout
        while !remaining.isEmpty {
            guard ContinuousClock.now < deadline else {
                throw StreamsError.stateStore(
                    store: remaining.map { stores[$0]?.name ?? $0.topic }.sorted().joined(separator: ", "),
                    message: "restoration did not reach the changelog's end within \(timeout)")
            }
            var batchCounts: [TopicPartition: (count: Int, last: Int64)] = [:]
            try consumer.pollBatch(
                maxMessages: 10_000, timeout: .milliseconds(100),
                onPartitionEOF: { end in
                    let partition = TopicPartition(topic: end.topic, partition: end.partition)
                    remaining.remove(partition)
                    endOffsets[partition] = end.offset
                }
            ) { message in
                let partition = TopicPartition(topic: message.topic, partition: message.partition)
                guard let store = stores[partition], let key = message.key else { return }
                if let committedInputOffsets, message.headerCount > 0, let origin = Self.origin(of: message),
                    let topic = origin.topic ?? singleInputTopic, let committed = committedInputOffsets[topic],
                    origin.offset >= committed
                {
                    leftOut += 1
                    return
                }
                try apply(store, key: key, value: message.value, timestamp: message.timestamp)
                batchCounts[partition, default: (0, 0)].count += 1
                batchCounts[partition]?.last = message.offset
            }
            for (partition, batch) in batchCounts {
                restored[partition, default: 0] += batch.count
                config.stateRestoreListener?.onBatchRestored(
                    partition.topic, partition.partition, stores[partition]?.name ?? "", batch.last, batch.count)
            }
        }
        var total = 0
        for (partition, store) in stores {
            let count = restored[partition] ?? 0
            total += count
            config.stateRestoreListener?.onRestoreEnd(partition.topic, partition.partition, store.name, count)
        }
        // The restored state now covers the changelog up to its end: checkpoint that.
        if let directory = task.directory, task.changelogs.contains(where: \.isPersistent) {
            var updated = checkpoint
            for store in task.changelogs where store.isPersistent {
                let partition = TopicPartition(topic: store.topic, partition: store.partition)
                if let end = endOffsets[partition], end >= 0 {
                    // Durable first (offset inside the store, then flush), then the file: a
                    // crash never leaves a checkpoint ahead of the restored data.
                    try (store.committedStore as? CheckpointingStore)?.storeCheckpoint(
                        topic: store.topic, partition: store.partition, offset: end)
                    try store.committedStore.flush()
                    updated.offsets[Checkpoint.Entry(topic: store.topic, partition: store.partition)] = end
                }
            }
            if updated != checkpoint {
                do {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                    try updated.write(directory: directory)
                } catch {
                    throw StreamsError.stateStore(store: "task \(task.id)", message: "\(error)")
                }
            }
        }
        logger.info(
            "restored task state",
            metadata: [
                "task": "\(task.id)", "records": "\(total)", "elapsed": "\(ContinuousClock.now - started)",
                "uncommitted records left out": "\(leftOut)",
            ])
        return total
    }

    /// The origin of a changelog record written under exactly-once (its origin header).
    private static func origin(of message: borrowing KafkaMessageView) -> ChangelogOrigin? {
        for index in 0..<message.headerCount {
            guard let header = message.header(at: index), header.name == StreamsProducer.originHeader,
                let value = header.value
            else { continue }
            return ChangelogOrigin(header: value)
        }
        return nil
    }

    /// Applies one changelog record to the store under the logging layer.
    private func apply(
        _ store: ChangeLoggingKeyValueBytesStore, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer?,
        timestamp: Int64
    ) throws {
        let target = store.committedStore
        guard let value else {
            try target.delete(Array(key))
            return
        }
        if store.timestamped {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(8 + value.count)
            appendBigEndian(timestamp, to: &bytes)
            bytes.append(contentsOf: value)
            try target.put(Array(key), bytes)
        } else {
            try target.put(Array(key), Array(value))
        }
    }

    private func readCheckpoint(_ task: StreamTask) -> Checkpoint {
        guard let directory = task.directory else { return Checkpoint() }
        do {
            return try Checkpoint.read(directory: directory)
        } catch {
            logger.warning(
                "unreadable checkpoint: restoring every store of the task from the beginning",
                metadata: ["task": "\(task.id)", "error": "\(error)"])
            Checkpoint.delete(directory: directory)
            return Checkpoint()
        }
    }

    func close() {
        consumer?.close()
        consumer = nil
    }
}
