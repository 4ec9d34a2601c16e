import KafkaStreams
import KafkaStreamsTesting
import Testing

/// Re-grouped tables: `KTable.groupBy` with `count`, `reduce(adder:subtractor:)` and
/// `aggregate(initializer:adder:subtractor:)`. When a row changes or is deleted, its old value is
/// subtracted from the group it was in.
@Suite struct KGroupedTableTests {
    /// Users and their regions: `user -> region`.
    private struct Regions {
        let driver: TopologyTestDriver
        let input: TestInputTopic<String, String?>

        init(_ body: (KGroupedTable<String, String>) -> Void) throws {
            let builder = StreamsBuilder()
            let grouped = builder.table(
                "user-regions", consumed: .with(key: .string, value: .string), materialized: .as("user-regions")
            )
            .groupBy(grouped: .with(key: .string, value: .string)) { user, region in (region, user) }
            body(grouped)
            driver = try TopologyTestDriver(topology: builder.build())
            input = driver.createInputTopic("user-regions", key: .string, value: .optional(.string))
        }

        func set(_ user: String, _ region: String?, at timestamp: Int64 = 0) throws {
            try input.pipeInput(key: user, value: region, timestamp: timestamp)
        }

        func store<V>(_ name: String, _ serde: Serde<V>) throws -> ReadOnlyKeyValueStore<String, V> {
            try driver.keyValueStore(name, key: .string, value: serde)
        }
    }

    @Test func countFollowsRowsBetweenGroups() throws {
        let regions = try Regions { grouped in
            grouped.count(materialized: .as("per-region"))
                .toStream()
                .to("counts", produced: .with(key: .string, value: .int64))
        }
        let output = regions.driver.createOutputTopic("counts", key: .string, value: .optional(.int64))
        try regions.set("alice", "EU")
        try regions.set("bob", "EU")
        try regions.set("carol", "US")
        #expect(output.readKeyValuesToList() == [kv("EU", 1), kv("EU", 2), kv("US", 1)])

        // alice moves: subtracted from EU, then added to US.
        try regions.set("alice", "US")
        #expect(output.readKeyValuesToList() == [kv("EU", 1), kv("US", 2)])
        let counts = try regions.store("per-region", .int64)
        #expect(try counts.all() == [kv("EU", 1), kv("US", 2)])
    }

    @Test func countSubtractsDeletedRows() throws {
        let regions = try Regions { $0.count(materialized: .as("per-region")) }
        try regions.set("alice", "EU")
        try regions.set("bob", "EU")
        try regions.set("bob", nil)
        let counts = try regions.store("per-region", .int64)
        #expect(try counts.get("EU") == 1)
        try regions.set("alice", nil)
        // Kafka keeps the zero count: the subtractor's result is the new aggregate.
        #expect(try counts.get("EU") == 0)
        // Deleting a user that is not there changes nothing.
        try regions.set("nobody", nil)
        #expect(try counts.all() == [kv("EU", 0)])
    }

    @Test func updateWithinTheSameGroupSubtractsThenAdds() throws {
        let regions = try Regions { grouped in
            grouped.count(materialized: .as("per-region"))
                .toStream()
                .to("counts", produced: .with(key: .string, value: .int64))
        }
        let output = regions.driver.createOutputTopic("counts", key: .string, value: .optional(.int64))
        try regions.set("alice", "EU")
        try regions.set("alice", "EU")
        // Without a cache both steps are visible: the subtraction and the addition.
        #expect(output.readKeyValuesToList() == [kv("EU", 1), kv("EU", 0), kv("EU", 1)])
        #expect(try regions.store("per-region", .int64).get("EU") == 1)
    }

    @Test func reduceWithAdderAndSubtractor() throws {
        // Concatenated user names per region, kept sorted.
        let regions = try Regions { grouped in
            grouped.reduce(
                materialized: .as("members"),
                adder: { members, user in (members.split(separator: ",").map(String.init) + [user]).sorted().joined(separator: ",") },
                subtractor: { members, user in
                    members.split(separator: ",").map(String.init).filter { $0 != user }.joined(separator: ",")
                })
        }
        try regions.set("bob", "EU")
        try regions.set("alice", "EU")
        try regions.set("carol", "US")
        let members = try regions.store("members", .string)
        #expect(try members.all() == [kv("EU", "alice,bob"), kv("US", "carol")])
        try regions.set("bob", "US")
        #expect(try members.all() == [kv("EU", "alice"), kv("US", "bob,carol")])
        try regions.set("carol", nil)
        #expect(try members.all() == [kv("EU", "alice"), kv("US", "bob")])
    }

    @Test func aggregateWithAdderAndSubtractor() throws {
        let builder = StreamsBuilder()
        // Product prices by category: table of product -> "category:price".
        builder.table("products", consumed: .with(key: .string, value: .string), materialized: .as("products"))
            .groupBy(grouped: .with(key: .string, value: .int64)) { _, value in
                let parts = value.split(separator: ":")
                return (String(parts[0]), Int64(parts[1])!)
            }
            .aggregate(
                initializer: { Int64(0) }, materialized: .as("category-totals", value: .int64),
                adder: { _, price, total in total + price },
                subtractor: { _, price, total in total - price })
            .toStream()
            .to("totals", produced: .with(key: .string, value: .int64))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("products", key: .string, value: .optional(.string))
        let output = driver.createOutputTopic("totals", key: .string, value: .int64)
        try input.pipeInput(key: "pen", value: "office:3", timestamp: 0)
        try input.pipeInput(key: "ink", value: "office:10", timestamp: 0)
        try input.pipeInput(key: "tea", value: "food:4", timestamp: 0)
        try input.pipeInput(key: "pen", value: "office:5", timestamp: 0)  // price change
        try input.pipeInput(key: "ink", value: "food:10", timestamp: 0)  // category change
        try input.pipeInput(key: "tea", value: nil, timestamp: 0)  // deleted
        let totals = try driver.keyValueStore("category-totals", key: .string, value: .int64)
        #expect(try totals.all() == [kv("food", 10), kv("office", 5)])
        #expect(output.readKeyValuesToMap() == ["office": 5, "food": 10])
    }

    @Test func aggregateAddsToTheInitializerForANewGroup() throws {
        let builder = StreamsBuilder()
        builder.table("t", consumed: .with(key: .string, value: .int64), materialized: .as("t"))
            .groupBy(grouped: .with(key: .string, value: .int64)) { key, value in (String(key.prefix(1)), value) }
            .aggregate(
                initializer: { Int64(100) }, materialized: .as("sums", value: .int64),
                adder: { _, value, sum in sum + value },
                subtractor: { _, value, sum in sum - value })
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("t", key: .string, value: .int64)
        try input.pipeInput(key: "a1", value: 1, timestamp: 0)
        try input.pipeInput(key: "a2", value: 2, timestamp: 0)
        #expect(try driver.keyValueStore("sums", key: .string, value: .int64).get("a") == 103)
    }

    @Test func regroupingRepartitionsThroughANamedTopic() throws {
        let builder = StreamsBuilder()
        builder.table("t", consumed: .with(key: .string, value: .string), materialized: .as("t"))
            .groupBy(grouped: .with(name: "by-value", key: .string, value: .string)) { key, value in (value, key) }
            .count(materialized: .as("value-counts"))
        let topology = try builder.build()
        #expect(topology.describe().subtopologies.count == 2)
        let driver = try TopologyTestDriver(topology: topology)
        let input = driver.createInputTopic("t", key: .string, value: .string)
        try input.pipeInput(key: "k", value: "v", timestamp: 0)
        let repartition = driver.createOutputTopic(
            driver.internalTopicName("by-value-repartition"), key: .string, value: .bytes)
        // One record per change: the new value under its key (there was no old value).
        #expect(repartition.queueSize == 1)
    }

    @Test func regroupingToANullKeyDropsTheRow() throws {
        let builder = StreamsBuilder()
        builder.table("t", consumed: .with(key: .string, value: .string), materialized: .as("t"))
            .groupBy(grouped: .with(key: .optional(.string), value: .string)) { key, value in
                (value == "skip" ? nil : value, key)
            }
            .count(materialized: .as("value-counts"))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("t", key: .string, value: .string)
        try input.pipeInput(key: "a", value: "skip", timestamp: 0)
        try input.pipeInput(key: "b", value: "x", timestamp: 0)
        // A row that moves from a null group to a real one is only added.
        try input.pipeInput(key: "a", value: "x", timestamp: 0)
        let counts = try driver.keyValueStore("value-counts", key: .optional(.string), value: .int64)
        #expect(try counts.all() == [kv(Optional("x"), 2)])
    }

    @Test func countsStayCorrectAcrossPartitions() throws {
        let builder = StreamsBuilder()
        builder.table("user-regions", consumed: .with(key: .string, value: .string), materialized: .as("ur"))
            .groupBy(grouped: .with(key: .string, value: .string)) { user, region in (region, user) }
            .count(materialized: .as("per-region"))
        let driver = try TopologyTestDriver(topology: builder.build(), partitions: ["user-regions": 4])
        let input = driver.createInputTopic("user-regions", key: .string, value: .optional(.string))
        let users = (0..<40).map { "user-\($0)" }
        for (index, user) in users.enumerated() {
            try input.pipeInput(key: user, value: ["EU", "US", "APAC"][index % 3], timestamp: 0)
        }
        // Everyone moves one region along, then every fourth user leaves.
        for (index, user) in users.enumerated() {
            try input.pipeInput(key: user, value: ["US", "APAC", "EU"][index % 3], timestamp: 1)
        }
        for user in users.enumerated().filter({ $0.offset % 4 == 0 }).map(\.element) {
            try input.pipeInput(key: user, value: nil, timestamp: 2)
        }
        var expected: [String: Int64] = [:]
        for (index, _) in users.enumerated() where index % 4 != 0 {
            expected[["US", "APAC", "EU"][index % 3], default: 0] += 1
        }
        let counts = try driver.keyValueStore("per-region", key: .string, value: .int64)
        #expect(Dictionary(uniqueKeysWithValues: try counts.all().map { ($0.key, $0.value) }) == expected)
    }
}
