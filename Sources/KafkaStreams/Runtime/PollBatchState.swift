import RdKafka

/// What ``StreamThread/runOnce()`` tracks while it processes one poll batch, in one value.
///
/// The closure that takes each message captures this one variable instead of a dozen: each
/// captured variable is another pointer its context hands over on every call, and loading them
/// all cost ~30 instructions per record, ~1% of a stateless topology's thread.
struct PollBatchState {
    /// The partition of the current run of records (consecutive records of one partition), its
    /// task, and the run's length and next offset.
    var topic = ""
    var partition: Int32 = -1
    var task: StreamTask?
    var run = 0
    var runNextOffset: Int64?
    /// Records per task in this batch, counted in runs of the same task (no per-record lookup).
    var processedByTask: [TaskID: Int] = [:]
    /// Tasks reading several partitions that buffered records of this batch, and the queue of
    /// the current partition in its task's group.
    var bufferingTasks: Set<TaskID> = []
    var bufferQueue = 0
    /// Whether the direct path takes a repartition record's source header out (``RawRecord/sourceMark``).
    var directChecksMarks = false
    /// The current task and its source for the current topic, unretained, when the task
    /// processes records as they come: the thread's `taskByPartition` keeps both alive for the
    /// batch, and a retain and release of each per record cost ~2% of a stateless thread.
    var direct: (task: Unmanaged<StreamTask>, source: Unmanaged<SourceNodeBase>)?
    /// The record handed to the task on the direct path, made once per batch and updated per
    /// record: its topic `String` is then not retained and released per record.
    var directRecord = RawRecord(
        topic: "", partition: -1, offset: -1, timestamp: -1, key: nil, value: nil, headers: [])

    /// Whether `message` continues the current run (same task, partition and topic).
    @inline(__always)
    func continuesRun(_ message: borrowing KafkaMessageView) -> Bool {
        task != nil && message.partition == partition && message.topic == topic
    }

    /// Ends the current run: counts its records for its task, and returns its partition and
    /// next offset to commit, if it processed records directly.
    mutating func endRun() -> (partition: TopicPartition, nextOffset: Int64)? {
        if let task, run > 0 { processedByTask[task.id, default: 0] += run }
        run = 0
        guard let nextOffset = runNextOffset else { return nil }
        runNextOffset = nil
        return (TopicPartition(topic: topic, partition: partition), nextOffset)
    }

    /// Hands `message` to the current task on the direct path.
    @inline(__always)
    mutating func processDirectly(
        _ message: borrowing KafkaMessageView, task: Unmanaged<StreamTask>, source: Unmanaged<SourceNodeBase>
    ) throws {
        directRecord.offset = message.offset
        directRecord.timestamp = message.timestamp
        directRecord.key = message.key
        directRecord.value = message.value
        // Most records have no headers: then no headers value is made (and released).
        if message.certainlyHasNoHeaders {
            if !directRecord.headers.isEmpty { directRecord.headers = RecordHeaders() }
            directRecord.sourceMark = nil
        } else {
            let (headers, sourceMark) = RecordHeaders.read(from: message, takingSourceMark: directChecksMarks)
            directRecord.headers = headers
            directRecord.sourceMark = sourceMark
        }
        try task._withUnsafeGuaranteedRef { task in
            try source._withUnsafeGuaranteedRef { try task.process(&directRecord, from: $0) }
        }
        // Recorded per run of one partition, not per record (no hashing per record).
        runNextOffset = message.offset + 1
        run += 1
    }
}
