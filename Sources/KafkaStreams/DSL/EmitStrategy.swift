/// When a windowed aggregation emits its results (KIP-825).
///
/// ```swift
/// grouped.windowedBy(TimeWindows.ofSizeAndGrace(.seconds(60), .seconds(10)))
///     .emitStrategy(.onWindowClose)
///     .count()
/// ```
public enum EmitStrategy: Sendable, Hashable {
    /// Every update of a window is forwarded (subject to the record cache), the default.
    case onWindowUpdate
    /// Only the final result of each window is forwarded, once, when stream time passes the
    /// window's end plus grace (for sessions: end plus gap plus grace). Unlike
    /// `suppress(.untilWindowCloses(...))` this needs no extra buffer: closed windows are read
    /// from the window store. Results carry the window's aggregate timestamp (for sessions, the
    /// session end) and the headers of the record that closed them.
    case onWindowClose
}
