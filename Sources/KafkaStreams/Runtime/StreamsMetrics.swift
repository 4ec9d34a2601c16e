import Metrics

/// The swift-metrics instruments of one stream thread.
///
/// Counts are accumulated per poll batch and reported once per batch, so the hot path does not
/// touch the metrics backend per record. Labels follow Prometheus conventions; dimensions name the
/// application, the thread and, where it applies, the task.
final class StreamsMetrics {
    private let applicationID: String
    private let thread: String
    private var taskCounters: [TaskID: TaskCounters] = [:]
    let commitLatency: Timer
    let pollBatchSize: Recorder
    let producedRecords: Counter

    struct TaskCounters {
        let processed: Counter
        let dropped: Counter
        let droppedLate: Counter
        let restored: Counter
        let processLatency: Timer
        var reportedDropped = 0
        var reportedDroppedLate = 0
    }

    init(applicationID: String, thread: Int) {
        self.applicationID = applicationID
        self.thread = String(thread)
        let dimensions = [("application", applicationID), ("thread", String(thread))]
        commitLatency = Timer(label: "kafka_streams_commit_latency", dimensions: dimensions)
        pollBatchSize = Recorder(label: "kafka_streams_poll_batch_records", dimensions: dimensions)
        producedRecords = Counter(label: "kafka_streams_records_produced_total", dimensions: dimensions)
    }

    func task(_ id: TaskID) -> TaskCounters {
        if let counters = taskCounters[id] { return counters }
        let dimensions = [("application", applicationID), ("thread", thread), ("task", id.description)]
        let counters = TaskCounters(
            processed: Counter(label: "kafka_streams_records_processed_total", dimensions: dimensions),
            dropped: Counter(label: "kafka_streams_records_dropped_total", dimensions: dimensions),
            droppedLate: Counter(label: "kafka_streams_dropped_late_records_total", dimensions: dimensions),
            restored: Counter(label: "kafka_streams_records_restored_total", dimensions: dimensions),
            processLatency: Timer(label: "kafka_streams_process_latency", dimensions: dimensions))
        taskCounters[id] = counters
        return counters
    }

    /// Reports records processed by a task in one batch and how long the batch took per record.
    func processed(_ id: TaskID, records: Int, nanoseconds: Int64) {
        guard records > 0 else { return }
        let counters = task(id)
        counters.processed.increment(by: records)
        counters.processLatency.recordNanoseconds(nanoseconds / Int64(records))
    }

    /// Reports the task's dropped-record totals (from handlers and lateness; `late`: of those,
    /// records too late for their window) as counter deltas.
    func dropped(_ id: TaskID, total: Int, late: Int = 0) {
        var counters = task(id)
        let delta = total - counters.reportedDropped
        let lateDelta = late - counters.reportedDroppedLate
        guard delta > 0 || lateDelta > 0 else { return }
        if delta > 0 { counters.dropped.increment(by: delta) }
        if lateDelta > 0 { counters.droppedLate.increment(by: lateDelta) }
        counters.reportedDropped = total
        counters.reportedDroppedLate = late
        taskCounters[id] = counters
    }

    func restored(_ id: TaskID, records: Int) {
        guard records > 0 else { return }
        task(id).restored.increment(by: records)
    }

    /// Consumer lag of one partition: end offset minus position.
    func lag(topic: String, partition: Int32, lag: Int64) {
        Gauge(
            label: "kafka_streams_consumer_lag",
            dimensions: [("application", applicationID), ("thread", thread), ("topic", topic), ("partition", String(partition))]
        ).record(lag)
    }

    func forget(_ id: TaskID) {
        taskCounters.removeValue(forKey: id)
    }
}
