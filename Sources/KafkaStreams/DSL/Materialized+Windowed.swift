extension Materialized {
    /// Keeps windows (or sessions) this long behind stream time, for windowed aggregations.
    ///
    /// Without it a window store keeps the least its windows need: the window size plus grace
    /// period (sliding windows: twice the time difference plus grace; sessions: the inactivity gap
    /// plus grace). A shorter retention makes `StreamsBuilder.build()` throw a ``TopologyError``.
    public func withRetention(_ retention: Duration) -> Materialized {
        var copy = self
        copy.retention = retention
        return copy
    }
}
