import KafkaStreams
import KafkaStreamsTesting
import Synchronization

/// Values collected from `@Sendable` closures (peek, foreach, processors) for assertions.
final class Collected<Element: Sendable>: Sendable {
    private let storage = Mutex<[Element]>([])

    init() {}

    func append(_ element: Element) {
        storage.withLock { $0.append(element) }
    }

    var values: [Element] { storage.withLock { $0 } }
}

/// An error thrown by user closures in tests.
struct Boom: Error, Equatable, CustomStringConvertible {
    var reason = "boom"
    var description: String { "Boom(\(reason))" }
}

/// A `Codable` type with JSON as its default serde.
struct PageView: Codable, Equatable, Hashable, Sendable, JSONSerdeDefault {
    var user: String
    var page: String
}

/// A `Codable` type without a default serde: a serde must be passed for it.
struct Plain: Codable, Equatable, Sendable {
    var n: Int
}

extension TestOutputTopic {
    /// Every unread record as (key, value, timestamp), in order.
    func readTriples() -> [Triple<Key, Value>] {
        readRecordsToList().map { Triple(key: $0.key, value: $0.value, timestamp: $0.timestamp) }
    }
}

/// A key, value and timestamp read from an output topic.
struct Triple<Key, Value> {
    var key: Key
    var value: Value
    var timestamp: Int64
}

extension Triple: Equatable where Key: Equatable, Value: Equatable {}

extension Triple: CustomStringConvertible {
    var description: String { "(\(key), \(value), @\(timestamp))" }
}

func kv<K, V>(_ key: K, _ value: V) -> KeyValue<K, V> { KeyValue(key, value) }
