/// Fixed-size windows aligned to the epoch: tumbling (``ofSizeWithNoGrace(_:)``,
/// ``ofSizeAndGrace(_:_:)``) or hopping (``advanceBy(_:)``), for
/// `KGroupedStream.windowedBy(_:)`.
///
/// A window `[start, start + size)` includes its start and excludes its end. Windows start at
/// every multiple of the advance (the size, for tumbling windows), so a record with timestamp `t`
/// belongs to every window with `start <= t < start + size`: one tumbling window, or
/// `size / advance` hopping windows (fewer near time 0, as no window starts before 0).
///
/// ```swift
/// let perMinute = TimeWindows.ofSizeAndGrace(.seconds(60), .seconds(10))
/// let slidingFiveMinutesEveryMinute = TimeWindows.ofSizeWithNoGrace(.seconds(300)).advanceBy(.seconds(60))
/// ```
///
/// A window closes when stream time reaches its end plus the grace period: records for it that
/// arrive later are dropped (logged at debug level, counted in dropped records and in
/// `kafka_streams_dropped_late_records_total`). Durations are whole milliseconds (finer parts
/// are dropped). Invalid durations (a size below 1 ms, a negative grace, an advance of 0 or
/// larger than the size) make `StreamsBuilder.build()` throw a ``TopologyError``.
public struct TimeWindows: Sendable, Hashable {
    /// Window size in milliseconds.
    let sizeMs: Int64
    /// Advance in milliseconds (the size, for tumbling windows).
    let advanceMs: Int64
    /// Grace period in milliseconds.
    let graceMs: Int64

    /// The size of each window.
    public var size: Duration { .milliseconds(sizeMs) }
    /// How far each window starts after the previous one: the size for tumbling windows, less for
    /// hopping ones.
    public var advance: Duration { .milliseconds(advanceMs) }
    /// How long after a window's end records for it are still accepted (by stream time).
    public var gracePeriod: Duration { .milliseconds(graceMs) }

    /// Tumbling windows of `size` that close as soon as stream time reaches their end: any
    /// out-of-order record for a window that has ended is dropped.
    public static func ofSizeWithNoGrace(_ size: Duration) -> TimeWindows {
        ofSizeAndGrace(size, .zero)
    }

    /// Tumbling windows of `size` that accept out-of-order records until stream time reaches
    /// their end plus `grace`.
    public static func ofSizeAndGrace(_ size: Duration, _ grace: Duration) -> TimeWindows {
        TimeWindows(sizeMs: size.milliseconds, advanceMs: size.milliseconds, graceMs: grace.milliseconds)
    }

    /// Hopping windows: the same size and grace, a new window every `advance` (more than zero,
    /// at most the size; equal to the size gives tumbling windows again).
    public func advanceBy(_ advance: Duration) -> TimeWindows {
        TimeWindows(sizeMs: sizeMs, advanceMs: advance.milliseconds, graceMs: graceMs)
    }

    /// The windows a record with this timestamp belongs to, earliest first.
    public func windowsFor(_ timestamp: Int64) -> [TimeWindow] {
        windowStarts(for: timestamp).map { TimeWindow.starting(at: $0, size: sizeMs) }
    }

    /// The starts of the windows that contain `timestamp`, ascending (Kafka Streams' `windowsFor`).
    func windowStarts(for timestamp: Int64) -> StrideThrough<Int64> {
        let (earliest, overflow) = timestamp.subtractingReportingOverflow(sizeMs - advanceMs)
        let first = overflow ? 0 : max(0, earliest) / advanceMs * advanceMs
        return stride(from: first, through: timestamp, by: Int(advanceMs))
    }

    /// Kafka Streams' checks, thrown by `build()`.
    func validate() throws {
        guard sizeMs > 0 else {
            throw TopologyError.invalidTopology("TimeWindows: the window size must be at least 1 ms, got \(size)")
        }
        guard graceMs >= 0 else {
            throw TopologyError.invalidTopology("TimeWindows: the grace period must not be negative, got \(gracePeriod)")
        }
        guard advanceMs > 0 && advanceMs <= sizeMs else {
            throw TopologyError.invalidTopology(
                "TimeWindows: the advance must be more than zero and at most the window size (\(size)), got \(advance)")
        }
    }
}
