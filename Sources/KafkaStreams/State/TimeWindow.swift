/// A window of time in epoch milliseconds, as stored in window and session stores.
///
/// For a time window, `start` is inclusive and `end` exclusive (`end = start + size`). For a
/// session, both are inclusive: `start` is the timestamp of its first record and `end` that of
/// its last, as in Kafka Streams' `SessionWindow`.
public struct TimeWindow: Sendable, Hashable {
    /// The window's start, epoch milliseconds.
    public var start: Int64
    /// The window's end, epoch milliseconds.
    public var end: Int64

    /// Creates a window from its start and end.
    public init(start: Int64, end: Int64) {
        self.start = start
        self.end = end
    }

    /// The window of `size` milliseconds that starts at `start`; an end past `Int64.max` is `Int64.max`,
    /// as in Kafka Streams.
    static func starting(at start: Int64, size: Int64) -> TimeWindow {
        let (end, overflow) = start.addingReportingOverflow(size)
        return TimeWindow(start: start, end: overflow ? .max : end)
    }
}

extension TimeWindow: CustomStringConvertible {
    public var description: String { "[\(start), \(end)]" }
}
