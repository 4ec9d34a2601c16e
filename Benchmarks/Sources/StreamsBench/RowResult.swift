/// The measured outcome of one row, or why it failed.
struct RowResult {
    let name: String
    let limit: String?
    /// Input records divided by the time from the first output to the last expected one.
    var recordsPerSecond: Double = 0
    /// Output records per second (a word count writes one per word).
    var outputsPerSecond: Double = 0
    /// Input megabytes (10^6 bytes of values) per second.
    var megabytesPerSecond: Double = 0
    var seconds: Double = 0
    /// From the row's start (topic creation, client start, group join, task creation, restoration)
    /// to its first output record: not part of the timed interval.
    var startupSeconds: Double = 0
    /// Throughput relative to the limit row; 1 for limit rows; `nil` when the limit row did not run.
    /// With repeated rounds: the median of the rounds' ratios.
    var ratio: Double?
    /// With repeated rounds: how many, and the smallest and largest ratio among them.
    var rounds = 1
    var ratioRange: ClosedRange<Double>?
    /// With repeated rounds: each round's ratio, in round order (even rounds run the rows in
    /// reverse order).
    var roundRatios: [Double] = []
    /// With repeated rounds: each round's input records per second, in round order.
    var roundRates: [Double] = []
    /// Peak RSS during the row (see ``ProcessMemory``); the application process's for the memory check.
    var peakRSSBytes: Int?
    /// RSS when the row started.
    var startRSSBytes: Int?
    /// End-to-end latency of the row's latency phase (``LatencyProbe``), if it ran.
    var latency: LatencyStats?
    /// The memory check's figures.
    var memory: MemoryCheck.Figures?
    /// CPU per input record of the timed part, by kind of thread (``ThreadTimes``), in
    /// nanoseconds; `nil` where Linux does not tell it.
    var cpuPerRecord: CPUPerRecord?
    /// With repeated rounds: each round's CPU per input record, in round order.
    var roundCPU: [CPUPerRecord] = []

    struct CPUPerRecord {
        var processing: Double
        var processingWait: Double
        /// Of ``processing``, in the kernel; and minor page faults per thousand records.
        var processingSystem: Double
        var processingFaultsPerThousand: Double
        var librdkafka: Double
        var broker: Double
        var other: Double
    }
    var error: String?
}
