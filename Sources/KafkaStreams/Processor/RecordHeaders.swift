/// One header of a Kafka record. A header's value may be null.
public struct RecordHeader: Sendable, Hashable {
    public var key: String
    public var value: [UInt8]?

    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }
}

/// The headers of a record, in order; the same key may appear more than once.
public struct RecordHeaders: Sendable, Hashable, RandomAccessCollection, ExpressibleByArrayLiteral {
    public var storage: [RecordHeader]

    public init(_ headers: [RecordHeader] = []) { self.storage = headers }
    public init(arrayLiteral elements: RecordHeader...) { self.storage = elements }

    public var startIndex: Int { storage.startIndex }
    public var endIndex: Int { storage.endIndex }
    public subscript(position: Int) -> RecordHeader { storage[position] }

    /// Appends a header.
    public mutating func add(_ key: String, _ value: [UInt8]?) {
        storage.append(RecordHeader(key: key, value: value))
    }

    /// Removes every header with this key.
    public mutating func remove(_ key: String) {
        storage.removeAll { $0.key == key }
    }

    /// The value of the last header with this key (Kafka's `lastHeader`).
    public func last(_ key: String) -> RecordHeader? {
        storage.last { $0.key == key }
    }
}
