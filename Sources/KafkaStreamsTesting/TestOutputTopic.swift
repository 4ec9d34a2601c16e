import KafkaStreams

/// An output topic of a ``TopologyTestDriver``: reads what the topology wrote, oldest first.
///
/// Reading consumes: each record is returned once. A record that cannot be deserialized with the
/// topic's serdes is skipped by the non-throwing readers; use ``readRecord()`` to see the error.
public final class TestOutputTopic<Key, Value> {
    private let driver: TopologyTestDriver
    /// The topic's name.
    public let name: String
    private let keySerde: Serde<Key>
    private let valueSerde: Serde<Value>

    init(driver: TopologyTestDriver, name: String, keySerde: Serde<Key>, valueSerde: Serde<Value>) {
        self.driver = driver
        self.name = name
        self.keySerde = keySerde
        self.valueSerde = valueSerde
    }

    /// The next record, or `nil` when none is left; throws if it cannot be deserialized.
    public func readRecord() throws -> TestRecord<Key, Value>? {
        guard let raw = driver.runner.readOutput(topic: name) else { return nil }
        return TestRecord(
            key: try keySerde.deserialize(raw.key), value: try valueSerde.deserialize(raw.value),
            timestamp: raw.timestamp, headers: raw.headers, partition: raw.partition)
    }

    /// The next key and value, or `nil` when none is left.
    public func readKeyValue() -> KeyValue<Key, Value>? {
        guard let record = try? readRecord() else { return nil }
        return KeyValue(record.key, record.value)
    }

    /// The next value, or `nil` when none is left.
    public func readValue() -> Value? {
        (try? readRecord())?.value
    }

    /// Every unread record.
    public func readRecordsToList() -> [TestRecord<Key, Value>] {
        var records: [TestRecord<Key, Value>] = []
        while !isEmpty {
            if let record = try? readRecord() { records.append(record) }
        }
        return records
    }

    /// Every unread key and value, in order.
    public func readKeyValuesToList() -> [KeyValue<Key, Value>] {
        readRecordsToList().map { KeyValue($0.key, $0.value) }
    }

    /// Every unread value, in order.
    public func readValuesToList() -> [Value] {
        readRecordsToList().map(\.value)
    }

    /// Whether every record has been read.
    public var isEmpty: Bool { queueSize == 0 }

    /// The number of unread records.
    public var queueSize: Int { driver.runner.outputQueueSize(topic: name) }
}

extension TestOutputTopic where Key: Hashable {
    /// The latest value per key of every unread record (a table's final state).
    public func readKeyValuesToMap() -> [Key: Value] {
        var map: [Key: Value] = [:]
        for record in readRecordsToList() { map[record.key] = record.value }
        return map
    }
}
