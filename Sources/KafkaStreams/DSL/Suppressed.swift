/// How `KTable.suppress(_:)` holds back a table's updates.
///
/// ```swift
/// counts.suppress(.untilWindowCloses(.unbounded()))                // one final result per window
/// counts.suppress(.untilTimeLimit(.seconds(30), maxRecords: 1000)) // at most one update per key per 30 s
/// ```
///
/// Updates wait in a buffer per key: a later update of a buffered key replaces it (keeping its
/// place in time order), and what leaves the buffer is the latest update. Time is the
/// suppression's own stream time: the largest timestamp of the updates it has received. So
/// buffered results leave only when newer updates (of any key) arrive.
public struct Suppressed<Key>: Sendable {
    enum Kind: Sendable {
        /// Until stream time reaches the window's end plus the windowed aggregation's grace
        /// (found at build time).
        case untilWindowCloses(windowEnd: @Sendable (Key) -> Int64)
        /// Until stream time is this many milliseconds past the first buffered update's time.
        case untilTimeLimit(Int64)
    }

    let kind: Kind
    let bufferConfig: BufferConfig
    /// The processor's name; the buffer's store is `<name>-store`.
    public private(set) var name: String?

    /// Holds each window's updates until the window closes (stream time reaches its end plus the
    /// grace period of the windowed aggregation above) and then emits its final result, once.
    /// Deletes (sessions merged away) are not emitted.
    ///
    /// The table must come from a windowed aggregation (``TimeWindowedKStream`` or
    /// ``SessionWindowedKStream``), possibly through other table operators; `build()` throws a
    /// ``TopologyError`` otherwise, or if `bufferConfig` emits early when full.
    public static func untilWindowCloses<Inner>(_ bufferConfig: BufferConfig) -> Suppressed
    where Key == Windowed<Inner> {
        Suppressed(kind: .untilWindowCloses(windowEnd: { $0.window.end }), bufferConfig: bufferConfig)
    }

    /// Holds each key's updates until stream time is `timeToWaitForMoreEvents` past the first
    /// one, then emits the latest (deletes included).
    public static func untilTimeLimit(_ timeToWaitForMoreEvents: Duration, bufferConfig: BufferConfig) -> Suppressed {
        Suppressed(kind: .untilTimeLimit(timeToWaitForMoreEvents.milliseconds), bufferConfig: bufferConfig)
    }

    /// ``untilTimeLimit(_:bufferConfig:)`` with a buffer of at most `maxRecords` keys that emits
    /// its oldest early when full.
    public static func untilTimeLimit(_ timeToWaitForMoreEvents: Duration, maxRecords: Int) -> Suppressed {
        untilTimeLimit(timeToWaitForMoreEvents, bufferConfig: .maxRecords(maxRecords))
    }

    /// Names the suppression processor (and its store, `<name>-store`).
    public func withName(_ name: String) -> Suppressed {
        var copy = self
        copy.name = name
        return copy
    }
}
