/// How close in time two records must be for a stream-stream join to pair them.
///
/// A record of the left stream at time `t` joins the records of the right stream with the same
/// key and a timestamp in `[t - before, t + after]`; symmetrically, a right record at `t` joins
/// left records in `[t - after, t + before]`. ``ofTimeDifferenceWithNoGrace(_:)`` sets `before`
/// and `after` to the same difference; ``before(_:)`` and ``after(_:)`` make the window
/// asymmetric.
///
/// ```swift
/// // clicks within 10 s (either way) of an impression with the same key
/// let windows = JoinWindows.ofTimeDifferenceWithNoGrace(.seconds(10))
/// // only clicks up to 10 s after the impression
/// let after = JoinWindows.ofTimeDifferenceWithNoGrace(.seconds(10)).before(.zero)
/// ```
///
/// The grace period lets out-of-order records still join: a join window closes when stream
/// time passes its end plus the grace period. Left and outer joins emit a record's result
/// without a match only then, so that no "spurious" unmatched result is emitted for a record
/// that is matched later (Kafka Streams 3.1+). Records are kept in the join's window stores for
/// `before + after + grace`.
///
/// Durations are whole milliseconds (finer parts are dropped). A negative grace period, or a
/// negative window (`before + after < 0`), makes `StreamsBuilder.build()` throw a
/// ``TopologyError``.
public struct JoinWindows: Sendable, Hashable, CustomStringConvertible {
    /// How far before a left record's time right records join it, in milliseconds.
    let beforeMs: Int64
    /// How far after a left record's time right records join it, in milliseconds.
    let afterMs: Int64
    /// The grace period in milliseconds.
    let graceMs: Int64

    /// How far before a left record's time a right record may be and still join it.
    public var before: Duration { .milliseconds(beforeMs) }
    /// How far after a left record's time a right record may be and still join it.
    public var after: Duration { .milliseconds(afterMs) }
    /// How long after a join window's end out-of-order records are still joined (by stream time).
    public var gracePeriod: Duration { .milliseconds(graceMs) }
    /// The size of a join window: `before + after`.
    public var size: Duration { .milliseconds(sizeMs) }

    var sizeMs: Int64 { Self.saturatingAdd(beforeMs, afterMs) }
    /// How long the join's window stores keep records: size plus grace period.
    var retentionMs: Int64 { Self.saturatingAdd(sizeMs, graceMs) }

    /// Records join when their timestamps differ by at most `timeDifference`; a window closes as
    /// soon as stream time passes its end (no grace period).
    public static func ofTimeDifferenceWithNoGrace(_ timeDifference: Duration) -> JoinWindows {
        ofTimeDifferenceAndGrace(timeDifference, .zero)
    }

    /// Records join when their timestamps differ by at most `timeDifference`; out-of-order
    /// records still join until stream time passes a window's end plus `afterWindowEnd`.
    public static func ofTimeDifferenceAndGrace(_ timeDifference: Duration, _ afterWindowEnd: Duration) -> JoinWindows {
        JoinWindows(
            beforeMs: timeDifference.milliseconds, afterMs: timeDifference.milliseconds,
            graceMs: afterWindowEnd.milliseconds)
    }

    /// The same windows with another `before`: right records join a left record at `t` from
    /// `t - timeDifference` on. May be negative, as long as `before + after` is not.
    public func before(_ timeDifference: Duration) -> JoinWindows {
        JoinWindows(beforeMs: timeDifference.milliseconds, afterMs: afterMs, graceMs: graceMs)
    }

    /// The same windows with another `after`: right records join a left record at `t` up to
    /// `t + timeDifference`. May be negative, as long as `before + after` is not.
    public func after(_ timeDifference: Duration) -> JoinWindows {
        JoinWindows(beforeMs: beforeMs, afterMs: timeDifference.milliseconds, graceMs: graceMs)
    }

    /// `JoinWindows{beforeMs=…, afterMs=…, graceMs=…}`, as Kafka Streams prints them.
    public var description: String { "JoinWindows{beforeMs=\(beforeMs), afterMs=\(afterMs), graceMs=\(graceMs)}" }

    /// Kafka Streams' checks, thrown by `build()`.
    func validate() throws {
        guard sizeMs >= 0 else {
            throw TopologyError.invalidTopology(
                "JoinWindows: the window (before + after) must not be negative, got \(before) + \(after)")
        }
        guard graceMs >= 0 else {
            throw TopologyError.invalidTopology("JoinWindows: the grace period must not be negative, got \(gracePeriod)")
        }
    }

    static func saturatingAdd(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? .max : .min) : sum
    }
}
