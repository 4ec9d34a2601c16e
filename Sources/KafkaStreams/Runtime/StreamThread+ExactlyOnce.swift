import Foundation
import Logging
import RdKafka

/// A stream thread stopped as if its process had crashed: injected by tests only
/// (``TransactionFaultInjector/Step/crashBeforeCommit``).
struct InjectedCrash: Error, CustomStringConvertible {
    let underlying: KafkaError
    var description: String { "injected crash: \(underlying)" }
}

/// Exactly-once v2: one transaction per commit interval over every task of the thread.
///
/// Commit: flush the record caches (their output joins the transaction) → flush the producer
/// (every send acknowledged, changelog offsets known) → `sendOffsetsToTransaction` →
/// `commitTransaction` → apply each store's buffered writes with the changelog offset they cover
/// in one atomic write. A crash before the commit leaves the stores as of the previous
/// transaction; a crash after it, before the stores are written, leaves them one transaction
/// behind, which restoration of the changelog tail makes up.
extension StreamThread {
    func initTransactions() throws {
        do {
            try producer.initTransactions()
        } catch {
            throw StreamsError.transaction(message: "cannot initialize transactions for \(transactionalID ?? "?"): \(error)")
        }
    }

    /// Whether the tasks' uncommitted store writes passed `stateStoreUncommittedMaxBytes`.
    var isOverUncommittedBudget: Bool {
        guard exactlyOnce else { return false }
        var total = 0
        for task in tasks.values { total += task.uncommittedBytes }
        return total > config.stateStoreUncommittedMaxBytes
    }

    func commitTransaction() throws {
        let started = ContinuousClock.now
        defer { recordCommitLatency(since: started) }
        for task in tasks.values { try task.flushCaches() }
        // A healthy transaction's records are acknowledged in well under this; one stuck longer
        // has failed (its records stay queued until an abort purges them).
        try handleDeliveryFailures(producer.flush(timeout: .seconds(15)))
        let offsets = pendingOffsets.map { TopicPartitionOffset($0.key, offset: $0.value) }
        guard producer.inTransaction || !offsets.isEmpty else {
            lastCommit = ContinuousClock.now
            return
        }
        if let crash = producer.injectedCrashBeforeCommit() { throw InjectedCrash(underlying: crash) }
        // A consumer outside a group (or between generations) has no metadata: its offsets
        // cannot join the transaction, and a rebalance will hand its records to someone else.
        let groupMetadata = try? consumer.groupMetadata()
        try producer.commitTransaction(offsets: offsets, groupMetadata: groupMetadata)
        for (partition, offset) in pendingOffsets { committedOffsets[partition] = offset }
        pendingOffsets.removeAll()
        consecutiveAborts = 0
        // Committed: now the stores may hold what the transaction wrote.
        for task in tasks.values {
            try task.applyCommittedTransaction { changelog in
                producer.acknowledgedChangelogOffset(TopicPartition(topic: changelog.topic, partition: changelog.partition))
                    .map { $0 + 1 }
            }
        }
        lastCommit = ContinuousClock.now
        reportLag()
    }

    /// Recovers from `failure`, and again from any transaction failure the recovery meets (a task
    /// flushing through the fenced producer, say), a bounded number of times.
    func recoverRepeatedly(from failure: TransactionFailure, rejoin: Bool = true) throws {
        var failure = failure
        for _ in 0...Self.maxConsecutiveAborts {
            do {
                try recover(from: failure, rejoin: rejoin)
                return
            } catch let next as TransactionFailure {
                logger.warning("recovery from a failed transaction failed; trying again", metadata: ["error": "\(next)"])
                failure = next
            }
        }
        throw StreamsError.transaction(message: "recovery kept failing; the last: \(failure)")
    }

    /// Handles a failed transaction: abort and roll back, replace a fenced producer, or fail.
    /// `rejoin` is false inside a rebalance callback (the group is rebalancing anyway).
    func recover(from failure: TransactionFailure, rejoin: Bool = true) throws {
        switch failure {
        case .fatal(let error):
            throw StreamsError.transaction(message: "\(error)")
        case .abortable(let error):
            consecutiveAborts += 1
            guard consecutiveAborts <= Self.maxConsecutiveAborts else {
                throw StreamsError.transaction(
                    message: "\(consecutiveAborts) transactions in a row aborted; the last: \(error)")
            }
            logger.warning(
                "transaction aborted; rolling tasks back to the last commit", metadata: ["error": "\(error)"])
            do {
                try producer.abortTransaction()
            } catch let abortFailure {
                try recover(from: abortFailure, rejoin: rejoin)
                return
            }
            try rollBackTasks()
        case .fenced(let error):
            logger.warning(
                "producer fenced: closing tasks dirty, replacing the producer and rejoining the group",
                metadata: ["transactional.id": "\(transactionalID ?? "")", "error": "\(error)"])
            closeAllTasks(clean: false)
            pendingOffsets.removeAll()
            committedOffsets.removeAll()
            producer = try StreamsProducer(
                config: config, clientID: producerClientID, transactionalID: transactionalID,
                repartitionTopics: repartitionTopics)
            try initTransactions()
            // Rejoining: the group hands out the partitions again and the tasks are created anew
            // from the committed state.
            if rejoin {
                try consumer.unsubscribe()
                try consumer.subscribe(topics: subtopologyByBrokerTopic.keys.sorted())
            } else {
                try rollBackTasks()
            }
        }
    }

    /// Rolls every task back to the last committed transaction: the tasks are closed dirty
    /// (buffered store writes and record caches dropped, in-memory processor state gone) and
    /// created again from their committed state, and the consumer rewinds to the committed
    /// offsets.
    func rollBackTasks() throws {
        let assignment = taskByPartition.keys.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
        let ids = tasks.keys.sorted()
        for id in ids { closeTask(id, clean: false) }
        taskByPartition.removeAll()
        pendingOffsets.removeAll()
        for partition in assignment {
            guard let subtopology = subtopologyByBrokerTopic[partition.topic] else { continue }
            let id = TaskID(subtopology: subtopology, partition: partition.partition)
            taskByPartition[partition] = try tasks[id] ?? createTask(id)
        }
        updateMultiPartitionTasks()
        try learnCommittedOffsets(assignment)
        let rewind = assignment.compactMap { partition in
            committedOffsets[partition].map { TopicPartitionOffset(partition, offset: $0) }
        }
        do {
            if !rewind.isEmpty { try consumer.seek(rewind, timeout: .seconds(30)) }
        } catch {
            throw StreamsError.transaction(message: "cannot rewind to the committed offsets after an abort: \(error)")
        }
        logger.info("tasks rolled back to the last commit", metadata: ["offsets": "\(rewind)"])
    }

    /// Reads the group's committed offsets of `partitions` this thread does not know yet; where
    /// nothing is committed, the start of the partition (the runtime's `auto.offset.reset`).
    func learnCommittedOffsets(_ partitions: [TopicPartition]) throws {
        let unknown = partitions.filter { committedOffsets[$0] == nil }
        guard !unknown.isEmpty else { return }
        let committed: [TopicPartitionOffset]
        do {
            committed = try consumer.committed(unknown, timeout: .seconds(30))
        } catch {
            throw StreamsError.brokerUnavailable("cannot read the committed offsets of \(unknown): \(error)")
        }
        for entry in committed {
            committedOffsets[entry.topicPartition] = entry.offset >= 0 ? entry.offset : KafkaOffset.beginning
        }
    }
}
