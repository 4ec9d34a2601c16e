/// Windows of activity separated by gaps of inactivity, for `KGroupedStream.windowedBy(_:)`.
///
/// A session of a key is a run of its records in which each is at most the inactivity gap after
/// the previous one; the session's window is `[first timestamp, last timestamp]`, both
/// inclusive. A record within the gap of one or more sessions joins them: they are merged into
/// one (their aggregates combined with the merger) and the old sessions are deleted downstream
/// (a `nil` result for their windowed keys). A record within the gap of none starts a new session.
///
/// A session closes when stream time passes its end plus the gap plus the grace period;
/// records that would extend or create a closed session are dropped.
///
/// ```swift
/// let visits = SessionWindows.ofInactivityGapAndGrace(.seconds(300), .seconds(60))
/// ```
public struct SessionWindows: Sendable, Hashable {
    /// The inactivity gap in milliseconds.
    let gapMs: Int64
    /// Grace period in milliseconds.
    let graceMs: Int64

    /// The largest time between two records of one session.
    public var inactivityGap: Duration { .milliseconds(gapMs) }
    /// How long after a session can no longer grow (its end plus the gap) records for it are
    /// still accepted (by stream time).
    public var gracePeriod: Duration { .milliseconds(graceMs) }

    /// Sessions that close as soon as stream time passes their end plus the gap.
    public static func ofInactivityGapWithNoGrace(_ inactivityGap: Duration) -> SessionWindows {
        ofInactivityGapAndGrace(inactivityGap, .zero)
    }

    /// Sessions that accept out-of-order records until stream time passes their end plus the
    /// gap plus `grace`.
    public static func ofInactivityGapAndGrace(_ inactivityGap: Duration, _ grace: Duration) -> SessionWindows {
        SessionWindows(gapMs: inactivityGap.milliseconds, graceMs: grace.milliseconds)
    }

    /// Kafka Streams' checks, thrown by `build()`.
    func validate() throws {
        guard gapMs > 0 else {
            throw TopologyError.invalidTopology(
                "SessionWindows: the inactivity gap must be at least 1 ms, got \(inactivityGap)")
        }
        guard graceMs >= 0 else {
            throw TopologyError.invalidTopology("SessionWindows: the grace period must not be negative, got \(gracePeriod)")
        }
    }
}
