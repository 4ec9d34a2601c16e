import KafkaStreams
import KafkaStreamsTesting
import Testing

/// Tables: `table()`, `toTable()`, `filter`, `filterNot`, `mapValues`, `toStream`, and how
/// deletes (tombstones) flow through them.
@Suite struct KTableTests {
    /// `table("in") -> (body) -> toStream() -> "out"` with tombstones kept as `nil`.
    private struct Harness<V> {
        let driver: TopologyTestDriver
        let input: TestInputTopic<String, String?>
        let output: TestOutputTopic<String, V?>

        init(
            value: Serde<V>, materialized: Materialized<String, String> = .as("source"),
            _ body: (KTable<String, String>) -> KTable<String, V>
        ) throws {
            let builder = StreamsBuilder()
            body(builder.table("in", consumed: .with(key: .string, value: .string), materialized: materialized))
                .toStream()
                .to("out", produced: .with(key: .string, value: value))
            driver = try TopologyTestDriver(topology: builder.build())
            input = driver.createInputTopic("in", key: .string, value: .optional(.string))
            output = driver.createOutputTopic("out", key: .string, value: .optional(value))
        }

        func pipe(_ key: String, _ value: String?, at timestamp: Int64 = 0) throws {
            try input.pipeInput(key: key, value: value, timestamp: timestamp)
        }
    }

    @Test func tableKeepsTheLatestValuePerKey() throws {
        let harness = try Harness(value: .string) { $0 }
        try harness.pipe("a", "1")
        try harness.pipe("b", "1")
        try harness.pipe("a", "2")
        #expect(harness.output.readKeyValuesToList() == [kv("a", "1"), kv("b", "1"), kv("a", "2")])
        let store = try harness.driver.keyValueStore("source", key: .string, value: .string)
        #expect(try store.all() == [kv("a", "2"), kv("b", "1")])
    }

    @Test func tombstoneDeletesTheRowAndIsForwardedAsNil() throws {
        let harness = try Harness(value: .string) { $0 }
        try harness.pipe("a", "1")
        try harness.pipe("a", nil)
        #expect(harness.output.readKeyValuesToList() == [kv("a", "1"), kv("a", nil)])
        #expect(try harness.driver.keyValueStore("source", key: .string, value: .string).get("a") == nil)
    }

    @Test func tombstoneReachesTheOutputTopicAsANullValue() throws {
        let harness = try Harness(value: .string) { $0 }
        try harness.pipe("a", "1")
        try harness.pipe("a", nil)
        // Read with a non-optional serde: the null value cannot be read as a String.
        let strict = harness.driver.createOutputTopic("out", key: .string, value: .string)
        #expect(try strict.readRecord()?.value == "1")
        #expect(throws: SerdeError.self) { try strict.readRecord() }
    }

    @Test func tableSourceRecordsWithNullKeysAreDropped() throws {
        let builder = StreamsBuilder()
        builder.table("in", consumed: .with(key: .optional(.string), value: .string), materialized: .as("t"))
            .toStream()
            .to("out", produced: .with(key: .optional(.string), value: .string))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .optional(.string), value: .string)
        let output = driver.createOutputTopic("out", key: .optional(.string), value: .optional(.string))
        try input.pipeInput(key: nil, value: "v", timestamp: 0)
        try input.pipeInput(key: "k", value: "v", timestamp: 0)
        #expect(output.readKeyValuesToList() == [kv(Optional("k"), Optional("v"))])
        #expect(driver.droppedRecordsCount == 1)
    }

    @Test func tableOutputTimestampIsTheUpdatesTimestamp() throws {
        let harness = try Harness(value: .string) { $0 }
        try harness.pipe("a", "1", at: 100)
        try harness.pipe("a", "2", at: 200)
        try harness.pipe("a", nil, at: 300)
        #expect(harness.output.readRecordsToList().map(\.timestamp) == [100, 200, 300])
    }

    // MARK: filter

    @Test func filterForwardsMatchingRows() throws {
        let harness = try Harness(value: .string) { $0.filter { _, value in value.count > 1 } }
        try harness.pipe("a", "long")
        try harness.pipe("b", "s")
        #expect(harness.output.readKeyValuesToList() == [kv("a", "long")])
    }

    @Test func rowThatStopsMatchingIsDeletedDownstream() throws {
        let harness = try Harness(value: .string) { $0.filter { _, value in value.count > 1 } }
        try harness.pipe("a", "long")
        try harness.pipe("a", "s")
        // The row passed before, so downstream must forget it: a tombstone.
        #expect(harness.output.readKeyValuesToList() == [kv("a", "long"), kv("a", nil)])
        // And when it matches again it comes back.
        try harness.pipe("a", "again")
        #expect(harness.output.readKeyValuesToList() == [kv("a", "again")])
    }

    @Test func rowThatNeverMatchedSendsNothing() throws {
        let harness = try Harness(value: .string) { $0.filter { _, value in value.count > 1 } }
        try harness.pipe("a", "s")
        try harness.pipe("a", "t")
        try harness.pipe("a", nil)
        #expect(harness.output.isEmpty)
    }

    @Test func deletingAMatchingRowForwardsATombstone() throws {
        let harness = try Harness(value: .string) { $0.filter { _, value in value.count > 1 } }
        try harness.pipe("a", "long")
        try harness.pipe("a", nil)
        #expect(harness.output.readKeyValuesToList() == [kv("a", "long"), kv("a", nil)])
    }

    @Test func filterNotIsTheNegation() throws {
        let harness = try Harness(value: .string) { $0.filterNot { key, _ in key.hasPrefix("x") } }
        try harness.pipe("x1", "v")
        try harness.pipe("y1", "v")
        #expect(harness.output.readKeyValuesToList() == [kv("y1", "v")])
    }

    @Test func materializedFilterKeepsOnlyMatchingRowsInItsStore() throws {
        let harness = try Harness(value: .string) {
            $0.filter(materialized: .as("long-values")) { _, value in value.count > 1 }
        }
        try harness.pipe("a", "long")
        try harness.pipe("b", "s")
        try harness.pipe("c", "longer")
        let store = try harness.driver.keyValueStore("long-values", key: .string, value: .string)
        #expect(try store.all() == [kv("a", "long"), kv("c", "longer")])
        try harness.pipe("a", "x")
        #expect(try store.all() == [kv("c", "longer")])
        try harness.pipe("c", nil)
        #expect(try store.all().isEmpty)
    }

    // MARK: mapValues

    @Test func mapValuesMapsUpdatesAndKeepsDeletesDeletes() throws {
        let harness = try Harness(value: .int64) { $0.mapValues { Int64($0.count) } }
        try harness.pipe("a", "abc")
        try harness.pipe("a", "abcdef")
        try harness.pipe("a", nil)
        #expect(harness.output.readKeyValuesToList() == [kv("a", 3), kv("a", 6), kv("a", nil)])
    }

    @Test func mapValuesWithKeySeesTheKey() throws {
        let harness = try Harness(value: .string) { $0.mapValues(withKey: { key, value in key + value }) }
        try harness.pipe("k", "v")
        #expect(harness.output.readKeyValuesToList() == [kv("k", "kv")])
    }

    @Test func materializedMapValuesIsQueryable() throws {
        let harness = try Harness(value: .int64) {
            $0.mapValues(materialized: .as("lengths", value: .int64)) { Int64($0.count) }
        }
        try harness.pipe("a", "abc")
        try harness.pipe("b", "x")
        let store = try harness.driver.keyValueStore("lengths", key: .string, value: .int64)
        #expect(try store.all() == [kv("a", 3), kv("b", 1)])
        try harness.pipe("a", nil)
        #expect(try store.all() == [kv("b", 1)])
    }

    @Test func filterThenMapValuesPropagatesTheDelete() throws {
        let harness = try Harness(value: .string) {
            $0.filter { _, value in value != "hide" }.mapValues { $0.uppercased() }
        }
        try harness.pipe("a", "show")
        try harness.pipe("a", "hide")
        #expect(harness.output.readKeyValuesToList() == [kv("a", "SHOW"), kv("a", nil)])
    }

    @Test func queryableStoreName() throws {
        let builder = StreamsBuilder()
        let table = builder.table("in", consumed: .with(key: .string, value: .string), materialized: .as("t"))
        #expect(table.queryableStoreName == "t")
        #expect(table.filter { _, _ in true }.queryableStoreName == nil)
        #expect(table.filter(materialized: .as("f")) { _, _ in true }.queryableStoreName == "f")
        #expect(table.mapValues { $0 }.queryableStoreName == nil)
    }

    @Test func tableStoreIsLoggedToItsChangelog() throws {
        let harness = try Harness(value: .string) { $0 }
        let changelog = harness.driver.createOutputTopic(
            harness.driver.internalTopicName("source-changelog"), key: .string, value: .optional(.string))
        try harness.pipe("a", "1", at: 5)
        try harness.pipe("a", nil, at: 6)
        #expect(
            changelog.readTriples() == [
                Triple(key: "a", value: "1", timestamp: 5), Triple(key: "a", value: nil, timestamp: 6),
            ])
    }

    // MARK: toTable

    @Test func streamToTableUpserts() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .toTable(materialized: .as("latest"))
            .toStream()
            .to("out", produced: .with(key: .string, value: .string))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .string, value: .optional(.string))
        try input.pipeInput(key: "a", value: "1", timestamp: 0)
        try input.pipeInput(key: "a", value: "2", timestamp: 0)
        #expect(output.readKeyValuesToList() == [kv("a", "1"), kv("a", "2")])
        #expect(try driver.keyValueStore("latest", key: .string, value: .string).get("a") == "2")
    }

    @Test func streamOfOptionalsToTableDeletesOnNil() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .optional(.string)))
            .toTable(materialized: .as("latest"))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .optional(.string))
        try input.pipeInput(key: "a", value: "1", timestamp: 0)
        try input.pipeInput(key: "b", value: "1", timestamp: 0)
        try input.pipeInput(key: "a", value: nil, timestamp: 0)
        let store = try driver.keyValueStore("latest", key: .string, value: .optional(.string))
        #expect(try store.all().map(\.key) == ["b"])
    }

    @Test func toTableAfterAKeyChangeRepartitions() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .selectKey { _, value in value }
            .toTable(materialized: .as("by-value"))
        let topology = try builder.build()
        #expect(topology.describe().subtopologies.count == 2)
        let driver = try TopologyTestDriver(topology: topology)
        let input = driver.createInputTopic("in", key: .string, value: .string)
        try input.pipeInput(key: "k", value: "v", timestamp: 0)
        #expect(try driver.keyValueStore("by-value", key: .string, value: .string).get("v") == "v")
    }

    @Test func tableToStreamToTableRoundTrip() throws {
        // A table's updates, with deletes, turned back into a table: the same rows.
        let builder = StreamsBuilder()
        builder.table("in", consumed: .with(key: .string, value: .string), materialized: .as("first"))
            .toStream()
            .toTable(materialized: .as("second", value: .optional(.string)))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .optional(.string))
        try input.pipeInput(key: "a", value: "1", timestamp: 0)
        try input.pipeInput(key: "b", value: "2", timestamp: 0)
        try input.pipeInput(key: "a", value: nil, timestamp: 0)
        let second = try driver.keyValueStore("second", key: .string, value: .optional(.string))
        #expect(try second.all() == [kv("b", Optional("2"))])
    }
}
