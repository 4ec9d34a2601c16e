extension Duration {
    /// The duration as librdkafka's `int timeout_ms`: negative durations become 0, partial
    /// milliseconds round up (so a tiny timeout still waits), huge durations clamp to `Int32.max`.
    var clampedMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) { return 0 }
        if seconds >= Int64(Int32.max / 1000) { return Int32.max }
        let attosecondsPerMillisecond: Int64 = 1_000_000_000_000_000
        let partial = (attoseconds + attosecondsPerMillisecond - 1) / attosecondsPerMillisecond
        return Int32(seconds * 1000 + partial)
    }
}
