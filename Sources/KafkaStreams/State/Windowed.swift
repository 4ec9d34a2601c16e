/// A key with the window it belongs to: the key of windowed aggregations and of window and
/// session store entries.
///
/// On topics, a time-windowed key is `[key][start: 8 bytes big-endian]` and a session-windowed key
/// `[key][end: 8 BE][start: 8 BE]`, Kafka Streams' layouts (see ``Serde/timeWindowed(_:size:)`` and
/// ``Serde/sessionWindowed(_:)``).
public struct Windowed<Key> {
    /// The record key.
    public var key: Key
    /// The window, in epoch milliseconds.
    public var window: TimeWindow

    /// Creates a windowed key.
    public init(key: Key, window: TimeWindow) {
        self.key = key
        self.window = window
    }

    /// Creates a windowed key from the window's start and end.
    public init(key: Key, start: Int64, end: Int64) {
        self.init(key: key, window: TimeWindow(start: start, end: end))
    }
}

extension Windowed: Sendable where Key: Sendable {}
extension Windowed: Equatable where Key: Equatable {}
extension Windowed: Hashable where Key: Hashable {}

extension Windowed: CustomStringConvertible {
    /// Kafka Streams' format: `[key@start/end]`.
    public var description: String { "[\(key)@\(window.start)/\(window.end)]" }
}
