/// The records of a task that reads several partitions (several topics, or a merge), buffered
/// per partition so that they can be processed in timestamp order, as Kafka Streams'
/// `PartitionGroup` does with `max.task.idle.ms = 0`: at each step the buffered head with the
/// smallest timestamp goes first; partitions without buffered records are not waited for.
///
/// Records are borrowed, not copied: their keys and values point into the consumer's poll
/// batch. The stream thread fills the group while it reads a batch and drains and empties it
/// before the batch is released (``KafkaConsumer/pollBatch(maxMessages:timeout:onPartitionEOF:_:afterBatch:)``).
/// Copying each record's key and value into arrays, a string key per record and a dictionary of
/// queues made buffering cost a stream-table join ~25% of its thread.
struct PartitionGroup {
    /// One buffered record; its partition is that of its queue.
    struct BufferedRecord {
        var offset: Int64
        var timestamp: Int64
        var key: UnsafeRawBufferPointer?
        var value: UnsafeRawBufferPointer?
        var headers: RecordHeaders
    }

    /// The records of one partition, in offset order, and how many were taken.
    private struct Queue {
        let topic: String
        let partition: Int32
        /// The rank of `topic`, `partition` among the queues: breaks timestamp ties, so that the
        /// order does not depend on which partition arrived first.
        var tieRank = 0
        var records: [BufferedRecord] = []
        var taken = 0

        var head: BufferedRecord? { taken < records.count ? records[taken] : nil }
    }

    private var queues: [Queue] = []

    /// The records buffered and not yet taken.
    var count: Int { queues.reduce(0) { $0 + $1.records.count - $1.taken } }

    var isEmpty: Bool { count == 0 }

    /// The index of the queue of a partition, for ``add(_:to:)``: made on first use, then stable
    /// for the life of the group.
    mutating func queue(topic: String, partition: Int32) -> Int {
        if let index = queues.firstIndex(where: { $0.partition == partition && $0.topic == topic }) { return index }
        queues.append(Queue(topic: topic, partition: partition))
        let ranked = queues.indices.sorted { Self.sortsBefore(queues[$0], queues[$1]) }
        for (rank, index) in ranked.enumerated() { queues[index].tieRank = rank }
        return queues.count - 1
    }

    private static func sortsBefore(_ left: Queue, _ right: Queue) -> Bool {
        left.topic != right.topic ? left.topic < right.topic : left.partition < right.partition
    }

    /// Appends a record to a queue from ``queue(topic:partition:)``.
    mutating func add(_ record: BufferedRecord, to queue: Int) {
        queues[queue].records.append(record)
    }

    /// Removes and returns the buffered head with the smallest timestamp (ties: the partition
    /// that sorts first by topic, then number), with the topic and partition of its queue.
    mutating func next() -> (topic: String, partition: Int32, record: BufferedRecord)? {
        var best: (index: Int, timestamp: Int64, rank: Int)?
        for index in queues.indices {
            guard let head = queues[index].head else { continue }
            if let current = best,
                head.timestamp > current.timestamp
                    || (head.timestamp == current.timestamp && queues[index].tieRank > current.rank)
            {
                continue
            }
            best = (index, head.timestamp, queues[index].tieRank)
        }
        guard let best else { return nil }
        let record = queues[best.index].records[queues[best.index].taken]
        queues[best.index].taken += 1
        return (queues[best.index].topic, queues[best.index].partition, record)
    }

    /// The partitions whose records were taken since the last ``removeAll()``, each with the
    /// offset after the last one taken: where consumption resumes.
    var nextOffsets: [(topic: String, partition: Int32, offset: Int64)] {
        queues.compactMap { queue in
            queue.taken > 0 ? (queue.topic, queue.partition, queue.records[queue.taken - 1].offset + 1) : nil
        }
    }

    /// Empties every queue, taken or not (their records' bytes are about to be released), and
    /// keeps the storage for the next batch.
    mutating func removeAll() {
        for index in queues.indices {
            queues[index].records.removeAll(keepingCapacity: true)
            queues[index].taken = 0
        }
    }
}
