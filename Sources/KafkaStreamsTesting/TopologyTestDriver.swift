import KafkaStreams

/// Runs a topology without a broker, one record at a time, for unit tests.
///
/// ```swift
/// let driver = try TopologyTestDriver(topology: builder.build())
/// let input = driver.createInputTopic("text-lines", key: .optional(.string), value: .string)
/// let output = driver.createOutputTopic("word-counts", key: .string, value: .int64)
/// try input.pipeInput(key: nil, value: "a b a", timestamp: 0)
/// #expect(output.readKeyValuesToMap() == ["a": 2, "b": 1])
/// ```
///
/// Each piped record is processed at once, through the same tasks, processors and stores that
/// `KafkaStreams` runs; records written to repartition topics are processed in the same call.
/// Records piped into a global table's topic update its global store at once, as the global
/// thread would.
/// Beyond Kafka Streams' driver, input topics may have several partitions (records are routed by
/// key hash as a producer would), with a task per partition. Wall-clock time is a mock clock
/// moved by ``advanceWallClockTime(by:)``. Not thread-safe: use it from one test at a time.
public final class TopologyTestDriver {
    let runner: LocalTopologyRunner

    /// The default configuration: application id `test-driver`, a dummy bootstrap server, no cache.
    public static var defaultConfig: StreamsConfig {
        var config = StreamsConfig(applicationID: "test-driver", bootstrapServers: "dummy:9092")
        config.cacheMaxBytes = 0
        return config
    }

    /// Creates a driver for a topology.
    ///
    /// - Parameters:
    ///   - config: Application id, handlers and state directory; `bootstrapServers` is not used.
    ///   - initialWallClockTime: The mock wall clock's start, in epoch milliseconds.
    ///   - partitions: Partition counts of topics (default 1 each). Internal topics get the
    ///     counts `KafkaStreams` gives them: a repartition topic the largest task count of the
    ///     subtopologies that write it, unless `Repartitioned` fixed one or it is joined with
    ///     other topics (then theirs).
    /// - Throws: ``TopologyError/copartitioning(_:)`` when joined topics have different counts.
    public init(
        topology: Topology, config: StreamsConfig = TopologyTestDriver.defaultConfig,
        initialWallClockTime: Int64 = 0, partitions: [String: Int32] = [:]
    ) throws {
        runner = try LocalTopologyRunner(
            topology: topology, config: config, initialWallClockTime: initialWallClockTime, topicPartitions: partitions)
    }

    deinit {
        try? runner.close()
    }

    /// A topic to pipe records into.
    public func createInputTopic<Key, Value>(
        _ name: String, key: Serde<Key>, value: Serde<Value>
    ) -> TestInputTopic<Key, Value> {
        TestInputTopic(driver: self, name: name, keySerde: key, valueSerde: value)
    }

    /// A topic to read what the topology wrote.
    public func createOutputTopic<Key, Value>(
        _ name: String, key: Serde<Key>, value: Serde<Value>
    ) -> TestOutputTopic<Key, Value> {
        TestOutputTopic(driver: self, name: name, keySerde: key, valueSerde: value)
    }

    /// Moves the mock wall clock forward and fires due wall-clock punctuations.
    public func advanceWallClockTime(by duration: Duration) throws {
        let (seconds, attoseconds) = duration.components
        try runner.advanceWallClockTime(by: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }

    /// The mock wall clock, in epoch milliseconds.
    public var wallClockTime: Int64 { runner.wallClock }

    /// A key-value store of the topology, over all partitions' tasks.
    public func keyValueStore<Key, Value>(
        _ name: String, key: Serde<Key>, value: Serde<Value>
    ) throws -> ReadOnlyKeyValueStore<Key, Value> {
        try runner.store(.keyValue(name: name, key: key, value: value))
    }

    /// A window store of the topology (a windowed aggregation's), over all partitions' tasks.
    public func windowStore<Key, Value>(
        _ name: String, key: Serde<Key>, value: Serde<Value>
    ) throws -> ReadOnlyWindowStore<Key, Value> {
        try runner.store(.windowStore(name: name, key: key, value: value))
    }

    /// A session store of the topology (a session aggregation's), over all partitions' tasks.
    public func sessionStore<Key, Value>(
        _ name: String, key: Serde<Key>, value: Serde<Value>
    ) throws -> ReadOnlySessionStore<Key, Value> {
        try runner.store(.sessionStore(name: name, key: key, value: value))
    }

    /// Records skipped by exception handlers, for null keys, for invalid timestamps or for
    /// arriving after their window closed, over all tasks.
    public var droppedRecordsCount: Int { runner.droppedRecords }

    /// Of ``droppedRecordsCount``, the records that windowed aggregations dropped for arriving
    /// after their window's end plus grace period (counted once per window they missed), as the
    /// metric `kafka_streams_dropped_late_records_total` counts them.
    public var droppedLateRecordsCount: Int { runner.droppedLateRecords }

    /// The full name of an internal topic: `<applicationID>-<name>`, e.g. for
    /// `createOutputTopic(driver.internalTopicName("counts-changelog"), ...)`.
    public func internalTopicName(_ name: String) -> String {
        "\(runner.applicationID)-\(name)"
    }

    /// Closes tasks and stores and deletes the driver's state.
    public func close() throws {
        try runner.close()
    }
}
