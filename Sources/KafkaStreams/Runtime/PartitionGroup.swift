/// The records of a task that reads several partitions (several topics, or a merge), buffered
/// per partition so that they can be processed in timestamp order, as Kafka Streams'
/// `PartitionGroup` does with `max.task.idle.ms = 0`: at each step the buffered head with the
/// smallest timestamp goes first; partitions without buffered records are not waited for.
///
/// Buffered records are copies: a task with one input partition skips this and processes
/// straight from librdkafka's buffers.
struct PartitionGroup {
    struct BufferedRecord {
        var topic: String
        var partition: Int32
        var offset: Int64
        var timestamp: Int64
        var key: [UInt8]?
        var value: [UInt8]?
        var headers: RecordHeaders
    }

    private var queues: [String: Deque<BufferedRecord>] = [:]
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    mutating func add(_ record: BufferedRecord) {
        queues["\(record.topic)\u{0}\(record.partition)", default: Deque()].append(record)
        count += 1
    }

    /// Removes and returns the buffered head with the smallest timestamp (ties: the partition
    /// whose name sorts first, so the order is deterministic).
    mutating func next() -> BufferedRecord? {
        var best: (key: String, timestamp: Int64)?
        for (key, queue) in queues {
            guard let head = queue.first else { continue }
            if let current = best, head.timestamp > current.timestamp || (head.timestamp == current.timestamp && key > current.key) {
                continue
            }
            best = (key, head.timestamp)
        }
        guard let best, let record = queues[best.key]?.popFirst() else { return nil }
        count -= 1
        return record
    }
}
