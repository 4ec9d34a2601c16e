import RdKafka
import Synchronization

/// The record collector of a stream thread: sends every task's output, repartition and changelog
/// records through the thread's producer.
///
/// Delivery reports arrive on the stream thread (which polls the producer); failures are kept
/// until the thread checks them, and then go to the production exception handler.
///
/// Under exactly-once the producer is transactional: the first send after a commit begins a
/// transaction, ``commitTransaction(offsets:groupMetadata:)`` ends it with the consumed offsets,
/// and changelog records carry their origin (the input record whose processing wrote them) so
/// that restoration can leave out what uncommitted processing wrote.
final class StreamsProducer: RecordCollector {
    let producer: KafkaProducer
    /// Whether this is an exactly-once (transactional) producer.
    let isTransactional: Bool
    /// Whether a transaction is open.
    private(set) var inTransaction = false
    private let faults: TransactionFaultInjector?
    /// Under exactly-once: the broker names of repartition topics, whose records name their
    /// source (``SourceHighWater``).
    private let repartitionTopics: Set<String>
    /// Under exactly-once: the task whose input record is being processed. The task clears it
    /// when it closes (the context holds this producer).
    var activeTask: TaskContext?
    /// The header that names a changelog record's origin under exactly-once (``ChangelogOrigin``).
    static let originHeader = "__streams.origin"
    private let failures: DeliveryFailures
    private let changelogOffsets: ChangelogOffsets
    /// Each changelog partition's index in ``changelogOffsets``; its records carry index + 1 as
    /// their delivery-report tag (other records 0, and get no report unless they fail).
    private var changelogSlots: [TopicPartition: Int] = [:]
    /// The last changelog partition sent to, and its tag: a task's stores are written in runs.
    private var lastChangelog: (topic: String, partition: Int32, tag: UInt64) = ("", -1, 0)
    private var partitionCounts: [String: Int32] = [:]
    /// Handles of the topics produced to (``KafkaProducer/Topic``): records are produced through
    /// their topic's handle, which spares librdkafka a lookup by name under its client-wide write
    /// lock.
    private var topicHandles: [String: KafkaProducer.Topic] = [:]
    /// The handle used last, unretained (``topicHandles`` keeps it): reading a strong (or an
    /// `unowned(unsafe)`) reference retained and released it per record.
    private var lastTopic: Unmanaged<KafkaProducer.Topic>?
    /// The handle used before ``lastTopic``, unretained too.
    private var previousTopic: Unmanaged<KafkaProducer.Topic>?
    private var sentSinceLastReport = 0

    /// Records sent since the last call, for metrics.
    func takeSentCount() -> Int {
        defer { sentSinceLastReport = 0 }
        return sentSinceLastReport
    }

    /// Failed deliveries, written by the delivery report handler (on the polling thread).
    final class DeliveryFailures: Sendable {
        private let reports = Mutex<[DeliveryReport]>([])
        func record(_ report: DeliveryReport) { reports.withLock { $0.append(report) } }
        func take() -> [DeliveryReport] { reports.withLock { reports in defer { reports = [] }; return reports } }
    }

    /// The highest acknowledged offset per changelog partition (by slot, `-1` for none), written
    /// by the delivery report handler. It runs on the stream thread (inside poll and flush), so
    /// the lock is uncontended; slots spare the handler hashing a topic name per record.
    final class ChangelogOffsets: Sendable {
        private let offsets = Mutex<[Int64]>([])
        func addSlot() -> Int { offsets.withLock { $0.append(-1); return $0.count - 1 } }
        func record(slot: Int, offset: Int64) {
            offsets.withLock { offsets in
                if slot < offsets.count, offset > offsets[slot] { offsets[slot] = offset }
            }
        }
        func offset(slot: Int) -> Int64? { offsets.withLock { $0[slot] >= 0 ? $0[slot] : nil } }
        func forget(slot: Int) { offsets.withLock { $0[slot] = -1 } }
    }

    /// Creates the producer; with a `transactionalID` it is transactional (exactly-once) and
    /// ``initTransactions()`` must be called before the first send.
    init(
        config: StreamsConfig, clientID: String, transactionalID: String? = nil, repartitionTopics: Set<String> = []
    ) throws {
        self.repartitionTopics = transactionalID != nil ? repartitionTopics : []
        let failures = DeliveryFailures()
        let changelogOffsets = ChangelogOffsets()
        self.failures = failures
        self.changelogOffsets = changelogOffsets
        self.isTransactional = transactionalID != nil
        self.faults = transactionalID != nil ? config.transactionFaults : nil
        do {
            self.producer = try KafkaProducer(
                configuration: ClientDefaults.producer(config, clientID: clientID, transactionalID: transactionalID),
                deliveryReportHandler: { report in
                    if report.error != nil { failures.record(report) }
                },
                // Only failures and changelog records (tagged) need a report, and of the latter
                // only the offset.
                deliveryReports: .failuresAndTagged,
                taggedOffsets: { tag, _, offset in changelogOffsets.record(slot: Int(tag - 1), offset: offset) })
        } catch {
            throw StreamsConfigError(setting: "producerProperties", message: "\(error)")
        }
    }

    func sendChangelog(
        topic: String, partition: Int32, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer?,
        timestamp: Int64, origin: ChangelogOrigin?
    ) throws {
        let tag = changelogTag(topic: topic, partition: partition)
        guard isTransactional, let origin else {
            try send(topic: topic, partition: partition, key: key, value: value, timestamp: timestamp, headers: [], tag: tag)
            return
        }
        try origin.withHeader { header in
            try send(
                topic: topic, partition: partition, key: key, value: value, timestamp: timestamp, headers: [],
                lastHeader: (Self.originHeader, header), tag: tag)
        }
    }

    /// The delivery-report tag of a changelog partition's records (its slot + 1).
    private func changelogTag(topic: String, partition: Int32) -> UInt64 {
        if partition == lastChangelog.partition && topic == lastChangelog.topic { return lastChangelog.tag }
        let key = TopicPartition(topic: topic, partition: partition)
        let slot: Int
        if let known = changelogSlots[key] {
            slot = known
        } else {
            slot = changelogOffsets.addSlot()
            changelogSlots[key] = slot
        }
        lastChangelog = (topic, partition, UInt64(slot + 1))
        return lastChangelog.tag
    }

    // MARK: - Transactions

    /// Registers the transactional id, fencing older producers with it and aborting what they
    /// left open.
    func initTransactions() throws(TransactionFailure) {
        do {
            try producer.initTransactions(timeout: .seconds(60))
        } catch {
            throw TransactionFailure(error)
        }
    }

    private func beginTransactionIfNeeded() throws(TransactionFailure) {
        guard isTransactional, !inTransaction else { return }
        do {
            try producer.beginTransaction()
        } catch {
            throw TransactionFailure(error)
        }
        inTransaction = true
    }

    /// Adds `offsets` (next offsets to consume) to the open transaction and commits it. Without
    /// an open transaction (nothing sent since the last commit) one is begun for the offsets.
    func commitTransaction(offsets: [TopicPartitionOffset], groupMetadata: ConsumerGroupMetadata?) throws(TransactionFailure) {
        try beginTransactionIfNeeded()
        do throws(KafkaError) {
            if !offsets.isEmpty, let groupMetadata {
                if let fault = faults?.fault(at: .sendOffsets) { throw fault }
                try producer.sendOffsetsToTransaction(offsets, groupMetadata: groupMetadata, timeout: .seconds(60))
            }
            if let fault = faults?.fault(at: .commit) { throw fault }
            try producer.commitTransaction(timeout: .seconds(60))
        } catch {
            throw TransactionFailure(error)
        }
        inTransaction = false
    }

    /// Aborts the current transaction, if librdkafka has one: its records are discarded for
    /// `read_committed` readers. A failing abort leaves the producer unusable.
    func abortTransaction() throws(TransactionFailure) {
        // A producer that hit a fatal error (fenced, most often) cannot abort: say which it was.
        if let fatal = producer.fatalError {
            inTransaction = false
            throw fatal.isFenced ? .fenced(fatal) : .fatal(fatal)
        }
        guard isTransactional else { return }
        // Asked of librdkafka whatever this side believes: a failed begin or send can leave a
        // transaction in its abortable state that only an abort clears.
        inTransaction = false
        do {
            try producer.abortTransaction(timeout: .seconds(10))
        } catch where error.errorCode == .state {
            // No transaction in progress: nothing to abort.
        } catch {
            // A producer that cannot abort (fenced by a newer one while it sent, or a timeout) is
            // of no further use: the thread replaces it, and the new one's initTransactions aborts
            // what is left open on the broker.
            throw .fenced(error)
        }
        // The abort purged what was queued: those reports (and earlier failures of the aborted
        // transaction) are not failures of records anyone still wants.
        producer.poll(timeout: .zero)
        _ = failures.take()
    }

    /// Asks the fault injector whether the thread should stop here as if it crashed.
    func injectedCrashBeforeCommit() -> KafkaError? {
        faults?.fault(at: .crashBeforeCommit)
    }

    /// Forgets what was acknowledged for a changelog partition (its task is created anew).
    func forgetChangelogOffset(_ partition: TopicPartition) {
        if let slot = changelogSlots[partition] { changelogOffsets.forget(slot: slot) }
    }

    /// The highest acknowledged offset of a changelog partition since the producer started.
    func acknowledgedChangelogOffset(_ partition: TopicPartition) -> Int64? {
        changelogSlots[partition].flatMap { changelogOffsets.offset(slot: $0) }
    }

    func send(
        topic: String, partition: Int32?, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?,
        timestamp: Int64, headers: RecordHeaders
    ) throws {
        // Most records (at-least-once, no headers): straight to the producer's lean call, in a
        // call kept small (the other cases, and retries, are out of line).
        if !isTransactional && headers.isEmpty, let handle = topicHandle(topic) {
            return try sendLean(
                through: handle, topic: topic, partition: partition, key: key, value: value, timestamp: timestamp)
        }
        try sendWithHeadersOrInTransaction(
            topic: topic, partition: partition, key: key, value: value, timestamp: timestamp, headers: headers)
    }

    /// The handle of `topic` for ``sendLean(through:topic:partition:key:value:timestamp:)``, to
    /// keep for the producer's lifetime; `nil` under exactly-once (whose records carry headers
    /// and go through a transaction) or when librdkafka refuses the name.
    func leanHandle(of topic: String) -> Unmanaged<KafkaProducer.Topic>? {
        isTransactional ? nil : topicHandle(topic)
    }

    /// Sends a record without headers, at least once, through `handle` (``leanHandle(of:)`` of
    /// `topic`): what ``send(topic:partition:key:value:timestamp:headers:)`` does for most
    /// records, for a sink that keeps its topic's handle (no lookup of the handle by name, no
    /// call through ``RecordCollector``).
    @inline(__always)
    func sendLean(
        through handle: Unmanaged<KafkaProducer.Topic>, topic: String, partition: Int32?,
        key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?, timestamp: Int64
    ) throws {
        let failure = handle._withUnsafeGuaranteedRef { handle in
            Self.failure { () throws(KafkaError) in
                try producer.produce(to: handle, partition: partition, key: key, value: value, timestamp: timestamp)
            }
        }
        guard let failure else {
            sentSinceLastReport += 1
            return
        }
        try produceAfterFailure(
            failure, topic: topic, partition: partition, key: key, value: value, timestamp: timestamp,
            headers: noHeaders, lastHeader: nil, tag: 0)
    }

    /// ``send(topic:partition:key:value:timestamp:headers:)`` of a record with headers, under
    /// exactly-once (its repartition records carry their source, ``SourceHighWater``), or to a
    /// topic librdkafka gave no handle for (sent by name, to fail there).
    @inline(never)
    private func sendWithHeadersOrInTransaction(
        topic: String, partition: Int32?, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?,
        timestamp: Int64, headers: RecordHeaders
    ) throws {
        if !repartitionTopics.isEmpty, let task = activeTask, task.isProcessingInput, task.cacheForwardingDepth == 0,
            let source = task.recordMetadata, repartitionTopics.contains(topic)
        {
            var others = headers
            if !others.isEmpty { others.remove(SourceHighWater.header) }
            let sequence = task.repartitionSequence
            task.repartitionSequence &+= 1
            try SourceHighWater.withEncoded(
                topic: source.topic == task.singleInputTopic ? nil : source.topic, partition: source.partition,
                offset: source.offset, sequence: sequence
            ) { mark in
                try send(
                    topic: topic, partition: partition, key: key, value: value, timestamp: timestamp, headers: others,
                    lastHeader: (SourceHighWater.header, mark), tag: 0)
            }
            return
        }
        try send(topic: topic, partition: partition, key: key, value: value, timestamp: timestamp, headers: headers, tag: 0)
    }

    /// Sends through the producer; `lastHeader` (a header built per record, such as a changelog
    /// record's origin) goes after `headers` without an array of its own.
    private func send(
        topic: String, partition: Int32?, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?,
        timestamp: Int64, headers: RecordHeaders, lastHeader: (name: String, value: UnsafeRawBufferPointer?)? = nil,
        tag: UInt64
    ) throws {
        if isTransactional {
            try beginTransactionIfNeeded()
            if let fault = faults?.fault(at: .send) { throw TransactionFailure(fault) }
        }
        if headers.isEmpty {
            try produce(
                topic: topic, partition: partition, key: key, value: value, timestamp: timestamp,
                headers: noHeaders, lastHeader: lastHeader, tag: tag)
        } else {
            try produce(
                topic: topic, partition: partition, key: key, value: value, timestamp: timestamp,
                headers: headers.map { KafkaHeader(name: $0.key, value: $0.value) }, lastHeader: lastHeader, tag: tag)
        }
    }

    /// Passed for records without headers: a new empty array per record was released after
    /// every send, and a `static let` costs a `swift_once` check per use.
    private let noHeaders: [KafkaHeader] = []

    /// Produces, retrying while the local queue is full.
    @inline(__always)
    private func produce(
        topic: String, partition: Int32?, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?,
        timestamp: Int64, headers kafkaHeaders: [KafkaHeader], lastHeader: (name: String, value: UnsafeRawBufferPointer?)?,
        tag: UInt64
    ) throws {
        let failure =
            if let handle = topicHandle(topic) {
                handle._withUnsafeGuaranteedRef { handle in
                    Self.failure { () throws(KafkaError) in
                        try producer.produce(
                            to: handle, partition: partition, key: key, value: value, headers: kafkaHeaders,
                            lastHeader: lastHeader, timestamp: timestamp, tag: tag)
                    }
                }
            } else {
                Self.failure { () throws(KafkaError) in
                    try producer.produce(
                        topic: topic, partition: partition, key: key, value: value, headers: kafkaHeaders,
                        lastHeader: lastHeader, timestamp: timestamp, tag: tag)
                }
            }
        if let failure {
            try produceAfterFailure(
                failure, topic: topic, partition: partition, key: key, value: value, timestamp: timestamp,
                headers: kafkaHeaders, lastHeader: lastHeader, tag: tag)
        } else {
            sentSinceLastReport += 1
        }
    }

    /// What a produce call threw, as a value, so that the retry path stays out of line.
    @inline(__always)
    private static func failure(of produce: () throws(KafkaError) -> Void) -> KafkaError? {
        do {
            try produce()
            return nil
        } catch {
            return error
        }
    }

    /// The handle of `topic`: the last one used when it is the same
    /// topic (a sink sends to one topic), else one from ``topicHandles``, made on first use;
    /// `nil` when librdkafka refuses the name (the record then goes by name, and fails there).
    @inline(__always)
    private func topicHandle(_ topic: String) -> Unmanaged<KafkaProducer.Topic>? {
        if let lastTopic, lastTopic._withUnsafeGuaranteedRef({ $0.name == topic }) { return lastTopic }
        return lookUpTopicHandle(topic)
    }

    /// ``topicHandle(_:)`` past the last topic: the one before it (a task writing a changelog and
    /// an output alternates between two), else a lookup by name, or a new handle.
    @inline(never)
    private func lookUpTopicHandle(_ topic: String) -> Unmanaged<KafkaProducer.Topic>? {
        let found: Unmanaged<KafkaProducer.Topic>
        if let previousTopic, previousTopic._withUnsafeGuaranteedRef({ $0.name == topic }) {
            found = previousTopic
        } else if let known = topicHandles[topic] {
            found = Unmanaged.passUnretained(known)
        } else {
            guard let made = try? producer.topic(topic) else { return nil }
            topicHandles[topic] = made
            found = Unmanaged.passUnretained(made)
        }
        previousTopic = lastTopic
        lastTopic = found
        return found
    }

    /// After a first attempt failed with `error`: retries while the local queue is full, else
    /// throws what the failure means here.
    @inline(never)
    private func produceAfterFailure(
        _ error: KafkaError, topic: String, partition: Int32?, key: UnsafeRawBufferPointer?,
        value: UnsafeRawBufferPointer?, timestamp: Int64, headers kafkaHeaders: [KafkaHeader],
        lastHeader: (name: String, value: UnsafeRawBufferPointer?)?, tag: UInt64
    ) throws {
        var error = error
        // A full local queue drains as the broker acknowledges: serve reports and retry, bounded
        // (600 attempts in all).
        for _ in 1..<600 {
            if error.errorCode != .queueFull { break }
            producer.poll(timeout: .milliseconds(100))
            do {
                try producer.produce(
                    topic: topic, partition: partition, key: key, value: value, headers: kafkaHeaders,
                    lastHeader: lastHeader, timestamp: timestamp, tag: tag)
                sentSinceLastReport += 1
                return
            } catch let again {
                error = again
            }
        }
        if isTransactional && (error.isFenced || error.isFatal || error.transactionRequiresAbort || error.errorCode == .state) {
            // `.state`: the transaction is in its abortable error state (a failed delivery).
            throw TransactionFailure(error)
        }
        throw StreamsError.production(topic: topic, message: "\(error)")
    }

    func partitionCount(of topic: String) throws -> Int32 {
        if let count = partitionCounts[topic] { return count }
        do {
            let count = Int32(try producer.partitionCount(topic: topic, timeout: .seconds(30)))
            partitionCounts[topic] = count
            return count
        } catch {
            throw StreamsError.production(topic: topic, message: "cannot read its partition count: \(error)")
        }
    }

    /// Serves delivery reports; returns failed deliveries since the last call.
    func poll() -> [DeliveryReport] {
        producer.poll(timeout: .zero)
        return failures.take()
    }

    /// Waits until every record sent so far is acknowledged; returns failed deliveries.
    func flush(timeout: Duration) throws -> [DeliveryReport] {
        do {
            try producer.flush(timeout: timeout)
        } catch where isTransactional {
            // Records that do not leave the queue under exactly-once: the transaction failed.
            throw TransactionFailure.abortable(error)
        } catch {
            throw StreamsError.production(topic: "*", message: "flush did not complete within \(timeout): \(error)")
        }
        return failures.take()
    }
}
