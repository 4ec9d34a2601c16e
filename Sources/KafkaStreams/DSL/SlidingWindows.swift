/// Windows of a fixed time difference that slide with the records, Kafka Streams' sliding
/// windows, for `KGroupedStream.windowedBy(_:)`.
///
/// Two records fall in one window when their timestamps differ by at most the time difference.
/// Windows are `[start, start + timeDifference]`, both ends inclusive, and exist only where
/// records create them: each record at `t` creates its *left* window `[t - d, t]`, and, if a
/// later record of the key lies within `d`, its *right* window `[t + 1, t + 1 + d]`; the
/// aggregate of a window is over exactly the records in it. So unlike hopping windows, every
/// distinct set of records within `d` of each other is aggregated once, and no empty window is
/// ever emitted.
///
/// Records before `d` (near time 0) go to the window `[0, d]`, as no window starts before 0.
/// The window store keeps `2 * d + grace` of windows, the least the algorithm needs.
///
/// ```swift
/// let withinTenSeconds = SlidingWindows.ofTimeDifferenceAndGrace(.seconds(10), .seconds(30))
/// ```
public struct SlidingWindows: Sendable, Hashable {
    /// The time difference in milliseconds: the window size.
    let timeDifferenceMs: Int64
    /// Grace period in milliseconds.
    let graceMs: Int64

    /// The largest difference between the timestamps of two records in one window.
    public var timeDifference: Duration { .milliseconds(timeDifferenceMs) }
    /// How long after a window's end records for it are still accepted (by stream time).
    public var gracePeriod: Duration { .milliseconds(graceMs) }

    /// Sliding windows that close as soon as stream time passes their end.
    public static func ofTimeDifferenceWithNoGrace(_ timeDifference: Duration) -> SlidingWindows {
        ofTimeDifferenceAndGrace(timeDifference, .zero)
    }

    /// Sliding windows that accept out-of-order records until stream time passes their end plus
    /// `grace`.
    public static func ofTimeDifferenceAndGrace(_ timeDifference: Duration, _ grace: Duration) -> SlidingWindows {
        SlidingWindows(timeDifferenceMs: timeDifference.milliseconds, graceMs: grace.milliseconds)
    }

    /// Kafka Streams' checks, thrown by `build()`.
    func validate() throws {
        guard timeDifferenceMs >= 0 else {
            throw TopologyError.invalidTopology(
                "SlidingWindows: the time difference must not be negative, got \(timeDifference)")
        }
        guard graceMs >= 0 else {
            throw TopologyError.invalidTopology("SlidingWindows: the grace period must not be negative, got \(gracePeriod)")
        }
    }
}
