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
        let restored: Counter
        let processLatency: Timer
        var reportedDropped = 0
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

    /// Reports the task's dropped-record total (from handlers and lateness) as a counter delta.
    func dropped(_ id: TaskID, total: Int) {
        var counters = task(id)
        let delta = total - counters.reportedDropped
        guard delta > 0 else { return }
        counters.dropped.increment(by: delta)
        counters.reportedDropped = total
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
