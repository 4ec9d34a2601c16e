import KafkaStreams
import KafkaStreamsTesting

/// A windowed result read from an output topic: key, window, value and timestamp.
struct WindowedResult<Value: Equatable>: Equatable, CustomStringConvertible {
    var key: String
    var start: Int64
    var end: Int64
    var value: Value?
    var timestamp: Int64

    init(_ key: String, _ start: Int64, _ end: Int64, _ value: Value?, at timestamp: Int64) {
        self.key = key
        self.start = start
        self.end = end
        self.value = value
        self.timestamp = timestamp
    }

    var description: String { "\(key)@[\(start),\(end)]=\(value.map { "\($0)" } ?? "nil")@\(timestamp)" }
}

extension TestOutputTopic where Key == Windowed<String> {
    /// Every unread record as a ``WindowedResult``.
    func readWindowed<V: Equatable>() -> [WindowedResult<V>] where Value == V? {
        readRecordsToList().map {
            WindowedResult($0.key.key, $0.key.window.start, $0.key.window.end, $0.value, at: $0.timestamp)
        }
    }
}

/// One minute, in milliseconds.
let minute: Int64 = 60_000
