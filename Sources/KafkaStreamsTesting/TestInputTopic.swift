import KafkaStreams

/// An input topic of a ``TopologyTestDriver``: records piped in are processed at once.
///
/// Records without a timestamp get the topic's auto-advancing time: it starts at the driver's
/// wall-clock time and advances by ``autoAdvance`` per record.
public final class TestInputTopic<Key, Value> {
    private let driver: TopologyTestDriver
    /// The topic's name.
    public let name: String
    private let keySerde: Serde<Key>
    private let valueSerde: Serde<Value>
    private var nextTimestamp: Int64
    /// How much the implicit timestamp advances per record, in milliseconds.
    public var autoAdvance: Int64 = 0

    init(driver: TopologyTestDriver, name: String, keySerde: Serde<Key>, valueSerde: Serde<Value>) {
        self.driver = driver
        self.name = name
        self.keySerde = keySerde
        self.valueSerde = valueSerde
        self.nextTimestamp = driver.wallClockTime
    }

    /// Pipes one record; `timestamp` is epoch milliseconds (default: the topic's current time).
    public func pipeInput(
        key: Key, value: Value, timestamp: Int64? = nil, headers: RecordHeaders = [], partition: Int32? = nil
    ) throws {
        let time = timestamp ?? advance()
        try driver.runner.pipe(
            topic: name, partition: partition, key: try keySerde.serialize(key), value: try valueSerde.serialize(value),
            timestamp: time, headers: headers)
    }

    /// Pipes a value with a null key. The key serde must accept null (use `.optional(...)`).
    public func pipeInput(_ value: Value, timestamp: Int64? = nil) throws {
        let time = timestamp ?? advance()
        try driver.runner.pipe(
            topic: name, key: nil, value: try valueSerde.serialize(value), timestamp: time)
    }

    /// Pipes a record.
    public func pipeInput(_ record: TestRecord<Key, Value>) throws {
        try pipeInput(key: record.key, value: record.value, timestamp: record.timestamp, headers: record.headers)
    }

    /// Pipes key-value pairs in order, with auto-advancing timestamps.
    public func pipeKeyValueList(_ pairs: [(Key, Value)]) throws {
        for (key, value) in pairs { try pipeInput(key: key, value: value) }
    }

    /// Pipes values with null keys in order.
    public func pipeValueList(_ values: [Value]) throws {
        for value in values { try pipeInput(value) }
    }

    /// Pipes records in order.
    public func pipeRecordList(_ records: [TestRecord<Key, Value>]) throws {
        for record in records { try pipeInput(record) }
    }

    /// Pipes raw bytes, e.g. to test what a poison pill does.
    public func pipeRawInput(key: [UInt8]?, value: [UInt8]?, timestamp: Int64? = nil) throws {
        let time = timestamp ?? advance()
        try driver.runner.pipe(topic: name, key: key, value: value, timestamp: time)
    }

    /// Moves the topic's implicit timestamp forward.
    public func advanceTime(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        nextTimestamp += seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    private func advance() -> Int64 {
        let time = nextTimestamp
        nextTimestamp += autoAdvance
        return time
    }
}
