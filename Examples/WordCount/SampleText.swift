/// The text counted when no `--input-file` is given.
enum SampleText {
    static let lines = [
        "All streams flow into the sea, yet the sea is never full.",
        "To the place the streams come from, there they return again.",
        "A stream of records is a table of changes; a table is a stream of updates.",
        "Kafka keeps the log; the stream processor keeps the state.",
        "Count every word once, and only once, even when the process crashes.",
    ]
}
