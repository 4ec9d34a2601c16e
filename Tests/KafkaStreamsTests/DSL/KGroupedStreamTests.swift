import KafkaStreams
import KafkaStreamsTesting
import Testing

/// `groupByKey` / `groupBy` and `count`, `reduce`, `aggregate` of a grouped stream.
@Suite struct KGroupedStreamTests {
    static let storeTypes: [Materialized<String, Int64>.StoreType] = [.inMemory, .persistent]

    @Test(arguments: storeTypes)
    func countPerKey(storeType: Materialized<String, Int64>.StoreType) throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .count(materialized: .as("counts", storeType: storeType))
            .toStream()
            .to("out", produced: .with(key: .string, value: .int64))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .string, value: .int64)
        try input.pipeInput(key: "a", value: "x", timestamp: 1)
        try input.pipeInput(key: "b", value: "x", timestamp: 2)
        try input.pipeInput(key: "a", value: "y", timestamp: 3)
        #expect(output.readKeyValuesToList() == [kv("a", 1), kv("b", 1), kv("a", 2)])
        let store = try driver.keyValueStore("counts", key: .string, value: .int64)
        #expect(try store.get("a") == 2)
        #expect(try store.get("b") == 1)
        #expect(try store.get("c") == nil)
        #expect(try store.all() == [kv("a", 2), kv("b", 1)])
    }

    /// `count().toStream()` skips building changes for the stream; with a second table operation
    /// on the counts, both children get every update.
    @Test func countsFeedAStreamAndATableOperationAlike() throws {
        let builder = StreamsBuilder()
        let counts = builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .count(materialized: .as("counts"))
        counts.toStream().to("all", produced: .with(key: .string, value: .int64))
        counts.filter { _, count in count % 2 == 0 }.toStream().to("even", produced: .with(key: .string, value: .optional(.int64)))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let all = driver.createOutputTopic("all", key: .string, value: .int64)
        let even = driver.createOutputTopic("even", key: .string, value: .optional(.int64))
        for (key, timestamp) in [("a", 1), ("a", 2), ("b", 3), ("a", 4)] {
            try input.pipeInput(key: key, value: "x", timestamp: Int64(timestamp))
        }
        #expect(all.readKeyValuesToList() == [kv("a", 1), kv("a", 2), kv("b", 1), kv("a", 3)])
        // A filtered table forwards a tombstone when a key stops matching.
        #expect(even.readKeyValuesToList() == [kv("a", 2), kv("a", nil)])
    }

    @Test func groupByKeyDoesNotRepartitionWhenKeysAreUnchanged() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .mapValues { $0.count }
            .filter { _, length in length > 0 }
            .groupByKey(grouped: .with(key: .string, value: .json(Int.self)))
            .count(materialized: .as("counts"))
        let topology = try builder.build()
        #expect(topology.describe().subtopologies.count == 1)
    }

    @Test func groupByKeyAfterAKeyChangeRepartitions() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .selectKey { _, value in value }
            .groupByKey(grouped: .with(key: .string, value: .string))
            .count(materialized: .as("counts"))
        let topology = try builder.build()
        #expect(topology.describe().subtopologies.count == 2)
        let driver = try TopologyTestDriver(topology: topology)
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let repartition = driver.createOutputTopic(
            driver.internalTopicName("counts-repartition"), key: .string, value: .string)
        try input.pipeInput(key: "k1", value: "v", timestamp: 0)
        try input.pipeInput(key: "k2", value: "v", timestamp: 0)
        #expect(repartition.readKeyValuesToList() == [kv("v", "v"), kv("v", "v")])
        #expect(try driver.keyValueStore("counts", key: .string, value: .int64).get("v") == 2)
    }

    @Test func groupByRepartitionsThroughATopicNamedAfterGrouped() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupBy(grouped: .with(name: "by-first-letter", key: .string, value: .string)) { _, value in
                String(value.prefix(1))
            }
            .count(materialized: .as("letter-counts"))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let repartition = driver.createOutputTopic(
            driver.internalTopicName("by-first-letter-repartition"), key: .string, value: .string)
        for word in ["apple", "avocado", "banana"] { try input.pipeInput(key: word, value: word, timestamp: 0) }
        #expect(repartition.readKeyValuesToList() == [kv("a", "apple"), kv("a", "avocado"), kv("b", "banana")])
        let store = try driver.keyValueStore("letter-counts", key: .string, value: .int64)
        #expect(try store.all() == [kv("a", 2), kv("b", 1)])
    }

    @Test func reduceCombinesValues() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .int64))
            .groupByKey()
            .reduce(materialized: .as("sums")) { aggregate, value in aggregate + value }
            .toStream()
            .to("out", produced: .with(key: .string, value: .int64))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .int64)
        let output = driver.createOutputTopic("out", key: .string, value: .int64)
        try input.pipeInput(key: "a", value: 5, timestamp: 0)
        try input.pipeInput(key: "a", value: 7, timestamp: 0)
        try input.pipeInput(key: "b", value: 1, timestamp: 0)
        // The first value is the first aggregate: the reducer is not called for it.
        #expect(output.readKeyValuesToList() == [kv("a", 5), kv("a", 12), kv("b", 1)])
    }

    @Test func reduceSeesAggregateThenValue() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .reduce(materialized: .as("joined")) { aggregate, value in aggregate + "," + value }
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        for value in ["x", "y", "z"] { try input.pipeInput(key: "k", value: value, timestamp: 0) }
        #expect(try driver.keyValueStore("joined", key: .string, value: .string).get("k") == "x,y,z")
    }

    @Test func aggregateFoldsFromTheInitializer() throws {
        struct Stats: Codable, Equatable, Sendable {
            var count = 0
            var total: Int64 = 0
        }
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .int64))
            .groupByKey()
            .aggregate(initializer: { Stats() }, materialized: .as("stats", value: .json(Stats.self))) {
                _, value, stats in
                Stats(count: stats.count + 1, total: stats.total + value)
            }
            .toStream()
            .to("out", produced: .with(key: .string, value: .json(Stats.self)))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .int64)
        let output = driver.createOutputTopic("out", key: .string, value: .json(Stats.self))
        try input.pipeInput(key: "k", value: 10, timestamp: 0)
        try input.pipeInput(key: "k", value: 5, timestamp: 0)
        try input.pipeInput(key: "j", value: 1, timestamp: 0)
        #expect(
            output.readKeyValuesToList() == [
                kv("k", Stats(count: 1, total: 10)), kv("k", Stats(count: 2, total: 15)), kv("j", Stats(count: 1, total: 1)),
            ])
        let store = try driver.keyValueStore("stats", key: .string, value: .json(Stats.self))
        #expect(try store.get("k") == Stats(count: 2, total: 15))
    }

    @Test func aggregatorSeesTheKey() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .aggregate(initializer: { "" }, materialized: .as("agg", value: .string)) { key, value, aggregate in
                aggregate.isEmpty ? "\(key):\(value)" : "\(aggregate)+\(value)"
            }
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        try input.pipeInput(key: "k", value: "1", timestamp: 0)
        try input.pipeInput(key: "k", value: "2", timestamp: 0)
        #expect(try driver.keyValueStore("agg", key: .string, value: .string).get("k") == "k:1+2")
    }

    @Test func aggregateResultTimestampIsTheLargestInputTimestamp() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .count(materialized: .as("counts"))
            .toStream()
            .to("out", produced: .with(key: .string, value: .int64))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .string, value: .int64)
        try input.pipeInput(key: "k", value: "v", timestamp: 100)
        try input.pipeInput(key: "k", value: "v", timestamp: 50)
        try input.pipeInput(key: "k", value: "v", timestamp: 200)
        #expect(output.readRecordsToList().map(\.timestamp) == [100, 100, 200])
    }

    @Test func recordsWithNullKeyOrValueAreSkipped() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .optional(.string), value: .optional(.string)))
            .groupByKey()
            .count(materialized: .as("counts", storeType: .inMemory))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .optional(.string), value: .optional(.string))
        try input.pipeInput(key: "k", value: "v", timestamp: 0)
        try input.pipeInput(key: nil, value: "v", timestamp: 0)
        try input.pipeInput(key: "k", value: nil, timestamp: 0)
        try input.pipeInput(key: "k", value: "w", timestamp: 0)
        let store = try driver.keyValueStore("counts", key: .optional(.string), value: .int64)
        #expect(try store.get("k") == 2)
        #expect(try store.approximateNumEntries() == 1)
        #expect(driver.droppedRecordsCount == 2)
    }

    @Test func groupByToANullKeyDropsTheRecordBeforeTheRepartitionTopic() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupBy(grouped: .with(name: "g", key: .optional(.string), value: .string)) { _, value in
                value.isEmpty ? nil : value
            }
            .count(materialized: .as("counts"))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let repartition = driver.createOutputTopic(
            driver.internalTopicName("g-repartition"), key: .optional(.string), value: .string)
        try input.pipeInput(key: "1", value: "", timestamp: 0)
        try input.pipeInput(key: "2", value: "x", timestamp: 0)
        #expect(repartition.readKeyValuesToList() == [kv(Optional("x"), "x")])
        #expect(try driver.keyValueStore("counts", key: .optional(.string), value: .int64).get("x") == 1)
    }

    @Test func changelogTopicShowsTheStoresWrites() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .count(materialized: .as("counts"))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let changelog = driver.createOutputTopic(
            driver.internalTopicName("counts-changelog"), key: .string, value: .int64)
        #expect(driver.internalTopicName("counts-changelog") == "test-driver-counts-changelog")
        try input.pipeInput(key: "a", value: "x", timestamp: 10)
        try input.pipeInput(key: "a", value: "x", timestamp: 20)
        try input.pipeInput(key: "b", value: "x", timestamp: 30)
        // Plain values, with the aggregate's timestamp as the record timestamp.
        #expect(
            changelog.readTriples() == [
                Triple(key: "a", value: 1, timestamp: 10), Triple(key: "a", value: 2, timestamp: 20),
                Triple(key: "b", value: 1, timestamp: 30),
            ])
    }

    @Test func changelogUsesTheApplicationIDAsPrefix() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .count(materialized: .as("counts"))
        var config = TopologyTestDriver.defaultConfig
        config.applicationID = "my-app"
        let driver = try TopologyTestDriver(topology: builder.build(), config: config)
        #expect(driver.internalTopicName("counts-changelog") == "my-app-counts-changelog")
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let changelog = driver.createOutputTopic("my-app-counts-changelog", key: .string, value: .int64)
        try input.pipeInput(key: "a", value: "x", timestamp: 0)
        #expect(changelog.readKeyValuesToList() == [kv("a", 1)])
    }

    @Test func loggingDisabledWritesNoChangelog() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .count(materialized: Materialized.as("counts").withLoggingDisabled())
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let changelog = driver.createOutputTopic(
            driver.internalTopicName("counts-changelog"), key: .string, value: .int64)
        try input.pipeInput(key: "a", value: "x", timestamp: 0)
        #expect(changelog.isEmpty)
        #expect(try driver.keyValueStore("counts", key: .string, value: .int64).get("a") == 1)
    }

    @Test func storeNamesAreGeneratedWhenNotGiven() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .count()
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        try input.pipeInput(key: "a", value: "x", timestamp: 0)
        // Source 0, then the store's name (1) before the processor's (2), as Kafka numbers them.
        let store = try driver.keyValueStore("KSTREAM-AGGREGATE-STATE-STORE-0000000001", key: .string, value: .int64)
        #expect(try store.get("a") == 1)
    }

    @Test func materializedSerdesOverrideGroupedOnes() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .reduce(materialized: .as("latest", key: .string, value: .string)) { _, value in value }
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        try input.pipeInput(key: "k", value: "1", timestamp: 0)
        try input.pipeInput(key: "k", value: "2", timestamp: 0)
        #expect(try driver.keyValueStore("latest", key: .string, value: .string).get("k") == "2")
    }

    @Test func countsAreIndependentPerGroupedStream() throws {
        // Two aggregations of one grouped stream: each has its own store.
        let builder = StreamsBuilder()
        let grouped = builder.stream("in", consumed: .with(key: .string, value: .int64)).groupByKey()
        grouped.count(materialized: .as("count"))
        grouped.reduce(materialized: .as("max")) { a, b in max(a, b) }
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .int64)
        for value: Int64 in [3, 9, 4] { try input.pipeInput(key: "k", value: value, timestamp: 0) }
        #expect(try driver.keyValueStore("count", key: .string, value: .int64).get("k") == 3)
        #expect(try driver.keyValueStore("max", key: .string, value: .int64).get("k") == 9)
    }

    @Test(arguments: [Stores.inMemoryKeyValueStore("supplied"), Stores.persistentKeyValueStore("supplied")])
    func materializedFromAStoreSupplier(supplier: KeyValueBytesStoreSupplier) throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .count(materialized: .as(supplier))
        let driver = try TopologyTestDriver(topology: builder.build())
        try driver.createInputTopic("in", key: .string, value: .string).pipeInput(key: "a", value: "", timestamp: 0)
        #expect(try driver.keyValueStore("supplied", key: .string, value: .int64).get("a") == 1)
    }

    @Test func namedAggregations() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .count(named: "my-count", materialized: .as("counts"))
        let names = try builder.build().describe().subtopologies.flatMap(\.nodes).map(\.name)
        #expect(names == ["KSTREAM-SOURCE-0000000000", "my-count"])
    }
}
