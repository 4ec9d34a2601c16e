/// Which clock drives a punctuation.
public enum PunctuationType: Sendable, Hashable {
    /// Fires as the task's stream time (the largest record timestamp seen) passes each interval.
    case streamTime
    /// Fires as the system's wall-clock time passes each interval, checked by the stream thread's loop.
    case wallClockTime
}

/// A handle to cancel a scheduled punctuation.
public final class Cancellable {
    var isCancelled = false
    init() {}

    /// Stops the punctuation from firing again.
    public func cancel() { isCancelled = true }
}
