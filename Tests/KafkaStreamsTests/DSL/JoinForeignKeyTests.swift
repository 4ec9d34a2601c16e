@testable import KafkaStreams
import KafkaStreamsTesting
import Testing

/// Foreign-key table joins (KIP-213): updates of either table and of the foreign key itself,
/// tombstones, null foreign keys, partitioning, and the wire formats of the internal topics.
@Suite struct JoinForeignKeyTests {
    struct Order: Codable, Equatable, Sendable {
        var customer: String
        var amount: Int
    }

    enum Side { case orders, customers }

    /// One input record and the outputs of the inner and the left join (`nil`: a tombstone).
    struct Step {
        let side: Side
        let key: String
        let order: Order?
        let customer: String?
        let timestamp: Int64
        let inner: [Triple<String, String?>]
        let left: [Triple<String, String?>]

        static func order(_ key: String, _ order: Order?, at timestamp: Int64, inner: [Triple<String, String?>], left: [Triple<String, String?>]) -> Step {
            Step(side: .orders, key: key, order: order, customer: nil, timestamp: timestamp, inner: inner, left: left)
        }

        static func customer(_ key: String, _ name: String?, at timestamp: Int64, inner: [Triple<String, String?>], left: [Triple<String, String?>]) -> Step {
            Step(side: .customers, key: key, order: nil, customer: name, timestamp: timestamp, inner: inner, left: left)
        }
    }

    static func out(_ key: String, _ value: String?, _ timestamp: Int64) -> Triple<String, String?> {
        Triple(key: key, value: value, timestamp: timestamp)
    }

    /// The interleaving, step by step: the order moves between customers; each side is updated
    /// and deleted. As in Kafka Streams, a left join emits the row joined with nothing when it
    /// leaves its old foreign key, and deletes can produce a repeated tombstone.
    static var steps: [Step] { [
        .customer("c1", "Ann", at: 1, inner: [], left: []),
        .customer("c2", "Bob", at: 2, inner: [], left: []),
        .order("o1", Order(customer: "c1", amount: 10), at: 3, inner: [out("o1", "10@Ann", 3)], left: [out("o1", "10@Ann", 3)]),
        // The foreign key changes: the row moves to c2.
        .order("o1", Order(customer: "c2", amount: 10), at: 4, inner: [out("o1", "10@Bob", 4)],
               left: [out("o1", "10@null", 4), out("o1", "10@Bob", 4)]),
        // c1 no longer has subscribers; c2 does.
        .customer("c1", "Ann2", at: 5, inner: [], left: []),
        .customer("c2", "Bobby", at: 6, inner: [out("o1", "10@Bobby", 6)], left: [out("o1", "10@Bobby", 6)]),
        // Moves to a customer that does not exist: the inner join retracts the row.
        .order("o1", Order(customer: "c3", amount: 10), at: 7, inner: [out("o1", nil, 7)],
               left: [out("o1", "10@null", 7), out("o1", "10@null", 7)]),
        .customer("c3", "Cid", at: 8, inner: [out("o1", "10@Cid", 8)], left: [out("o1", "10@Cid", 8)]),
        // The amount changes, the foreign key does not.
        .order("o1", Order(customer: "c3", amount: 11), at: 9, inner: [out("o1", "11@Cid", 9)], left: [out("o1", "11@Cid", 9)]),
        // Foreign tombstone.
        .customer("c3", nil, at: 10, inner: [out("o1", nil, 10)], left: [out("o1", "11@null", 10)]),
        .customer("c3", "Cy", at: 11, inner: [out("o1", "11@Cy", 11)], left: [out("o1", "11@Cy", 11)]),
        // Primary tombstone.
        .order("o1", nil, at: 12, inner: [out("o1", nil, 12)], left: [out("o1", nil, 12), out("o1", nil, 12)]),
        .customer("c3", "Cyd", at: 13, inner: [], left: []),
    ] }

    @Test(arguments: [false, true])
    func updatesOfEitherSideAndOfTheForeignKey(leftJoin: Bool) throws {
        let builder = StreamsBuilder()
        let orders = builder.table("orders", consumed: .with(key: .string, value: .json(Order.self)))
        let customers = builder.table("customers", consumed: .with(key: .string, value: .string))
        let joined =
            leftJoin
            ? orders.leftJoin(customers, foreignKeyExtractor: { $0.customer }) { order, name in "\(order.amount)@\(name ?? "null")" }
            : orders.join(customers, foreignKeyExtractor: { $0.customer }) { order, name in "\(order.amount)@\(name)" }
        joined.toStream().to("out", produced: .with(key: .string, value: .string))
        let driver = try TopologyTestDriver(topology: builder.build())
        let orderInput = driver.createInputTopic("orders", key: .string, value: .optional(.json(Order.self)))
        let customerInput = driver.createInputTopic("customers", key: .string, value: .optional(.string))
        let output = driver.createOutputTopic("out", key: .string, value: .optional(.string))
        for (index, step) in Self.steps.enumerated() {
            switch step.side {
            case .orders: try orderInput.pipeInput(key: step.key, value: step.order, timestamp: step.timestamp)
            case .customers: try customerInput.pipeInput(key: step.key, value: step.customer, timestamp: step.timestamp)
            }
            #expect(output.readTriples() == (leftJoin ? step.left : step.inner), "step \(index), left join: \(leftJoin)")
        }
    }

    @Test func rowsWithANullForeignKey() throws {
        for leftJoin in [false, true] {
            let builder = StreamsBuilder()
            let orders = builder.table("orders", consumed: .with(key: .string, value: .json(Order.self)))
            let customers = builder.table("customers", consumed: .with(key: .optional(.string), value: .string))
            let extractor: @Sendable (Order) -> String? = { $0.customer.isEmpty ? nil : $0.customer }
            let joined =
                leftJoin
                ? orders.leftJoin(customers, foreignKeyExtractor: extractor) { order, name in "\(order.amount)@\(name ?? "null")" }
                : orders.join(customers, foreignKeyExtractor: extractor) { order, name in "\(order.amount)@\(name)" }
            joined.toStream().to("out", produced: .with(key: .string, value: .string))
            let driver = try TopologyTestDriver(topology: builder.build())
            let orderInput = driver.createInputTopic("orders", key: .string, value: .optional(.json(Order.self)))
            let customerInput = driver.createInputTopic("customers", key: .optional(.string), value: .optional(.string))
            let output = driver.createOutputTopic("out", key: .string, value: .optional(.string))
            try customerInput.pipeInput(key: "c1", value: "Ann", timestamp: 0)
            try orderInput.pipeInput(key: "o1", value: Order(customer: "", amount: 5), timestamp: 1)
            #expect(output.readKeyValuesToList() == (leftJoin ? [kv("o1", "5@null")] : []), "left join: \(leftJoin)")
            try orderInput.pipeInput(key: "o1", value: Order(customer: "c1", amount: 5), timestamp: 2)
            let expected: [KeyValue<String, String?>] = leftJoin ? [kv("o1", "5@Ann")] : []
            // An inner join skips a row whose old foreign key is null (as Kafka Streams does).
            #expect(output.readKeyValuesToList() == expected, "left join: \(leftJoin)")
            #expect(driver.droppedRecordsCount == (leftJoin ? 0 : 2))
        }
    }

    /// The internal topics take the partition counts of the table they are co-partitioned with,
    /// so the two tables need not be co-partitioned themselves.
    @Test func tablesWithDifferentPartitionCounts() throws {
        let builder = StreamsBuilder()
        let orders = builder.table("orders", consumed: .with(key: .string, value: .json(Order.self)))
        let customers = builder.table("customers", consumed: .with(key: .string, value: .string))
        orders.join(customers, foreignKeyExtractor: { $0.customer }, named: "fk") { order, name in "\(order.amount)@\(name)" }
            .toStream().to("out", produced: .with(key: .string, value: .string))
        let driver = try TopologyTestDriver(topology: builder.build(), partitions: ["orders": 3, "customers": 2])
        let orderInput = driver.createInputTopic("orders", key: .string, value: .optional(.json(Order.self)))
        let customerInput = driver.createInputTopic("customers", key: .string, value: .optional(.string))
        let output = driver.createOutputTopic("out", key: .string, value: .optional(.string))
        let subscriptions = driver.createOutputTopic(
            driver.internalTopicName("fk-subscription-registration-topic"), key: .bytes, value: .bytes)
        let responses = driver.createOutputTopic(driver.internalTopicName("fk-subscription-response-topic"), key: .string, value: .bytes)
        let customerKeys = (0..<6).map { "c\($0)" }
        for key in customerKeys { try customerInput.pipeInput(key: key, value: key.uppercased(), timestamp: 0) }
        for index in 0..<12 {
            try orderInput.pipeInput(key: "o\(index)", value: Order(customer: customerKeys[index % 6], amount: index), timestamp: 1)
        }
        #expect(output.readKeyValuesToMap() == Dictionary(uniqueKeysWithValues: (0..<12).map { ("o\($0)", "\($0)@C\($0 % 6)") }))
        #expect(Set(subscriptions.readRecordsToList().map(\.partition)).isSubset(of: [0, 1]))
        // Each answer goes back to the partition of the order that subscribed.
        for response in responses.readRecordsToList() {
            let expected = try #require(try Serde<String>.string.serialize(response.key)).withUnsafeBytes {
                Murmur2.partition(forKey: $0, partitionCount: 3)
            }
            #expect(response.partition == expected)
        }
        // A customer update reaches the orders of every partition that subscribed to it.
        try customerInput.pipeInput(key: "c1", value: "Zed", timestamp: 2)
        #expect(output.readKeyValuesToMap() == ["o1": "1@Zed", "o7": "7@Zed"])
    }

    /// The result's changes carry old values: an aggregation of it follows rows that move.
    @Test func downstreamAggregationsFollowRowsThatMove() throws {
        let builder = StreamsBuilder()
        let orders = builder.table("orders", consumed: .with(key: .string, value: .json(Order.self)))
        let customers = builder.table("customers", consumed: .with(key: .string, value: .string))
        orders.join(customers, foreignKeyExtractor: { $0.customer }) { order, name in "\(name):\(order.amount)" }
            .groupBy(grouped: .with(key: .string, value: .int64)) { _, value in
                let parts = value.split(separator: ":")
                return (String(parts[0]), Int64(parts[1])!)
            }
            .reduce(materialized: .as("totals"), adder: { $0 + $1 }, subtractor: { $0 - $1 })
        let driver = try TopologyTestDriver(topology: builder.build())
        let orderInput = driver.createInputTopic("orders", key: .string, value: .optional(.json(Order.self)))
        let customerInput = driver.createInputTopic("customers", key: .string, value: .optional(.string))
        let totals = try driver.keyValueStore("totals", key: .string, value: .int64)
        try customerInput.pipeInput(key: "c1", value: "Ann", timestamp: 0)
        try customerInput.pipeInput(key: "c2", value: "Bob", timestamp: 0)
        try orderInput.pipeInput(key: "o1", value: Order(customer: "c1", amount: 10), timestamp: 1)
        try orderInput.pipeInput(key: "o2", value: Order(customer: "c1", amount: 5), timestamp: 1)
        #expect(try totals.all() == [kv("Ann", 15)])
        try orderInput.pipeInput(key: "o2", value: Order(customer: "c2", amount: 5), timestamp: 2)
        #expect(try totals.all() == [kv("Ann", 10), kv("Bob", 5)])
        try customerInput.pipeInput(key: "c1", value: "Anna", timestamp: 3)
        #expect(try totals.all() == [kv("Ann", 0), kv("Anna", 10), kv("Bob", 5)])
        try orderInput.pipeInput(key: "o1", value: nil, timestamp: 4)
        #expect(try totals.all() == [kv("Ann", 0), kv("Anna", 0), kv("Bob", 5)])
    }

    @Test func namesFollowKafkaStreams() throws {
        let builder = StreamsBuilder()
        let orders = builder.table("orders", consumed: .with(key: .string, value: .json(Order.self)))
        let customers = builder.table("customers", consumed: .with(key: .string, value: .string))
        orders.join(customers, foreignKeyExtractor: { $0.customer }, materialized: .as("enriched")) { order, name in name }
        let description = try builder.build().describe().description
        for name in [
            "KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000007", "KTABLE-SINK-0000000008",
            "topic: KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic", "KSTREAM-SOURCE-0000000009",
            "KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000011 (stores: [KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-0000000010])",
            "KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000012", "KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000013",
            "KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic", "KTABLE-SINK-0000000015", "KSTREAM-SOURCE-0000000016",
            "KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-0000000017",
            "KTABLE-FK-JOIN-OUTPUT-0000000018 (stores: [enriched])",
        ] {
            #expect(description.contains(name), "\(name) missing in\n\(description)")
        }
    }

    // MARK: - Wire formats

    /// Kafka Streams' `Murmur3Test.testMurmur3_128` vectors.
    @Test func murmur3MatchesKafkaStreams() {
        let cases: [(String, Int64, Int64)] = [
            ("21", 5_857_341_059_704_281_894, -5_288_187_638_297_930_763),
            ("foobar", -351_361_463_397_418_609, 8_959_716_011_862_540_668),
            ("a-little-bit-long-string", 8_836_256_500_583_638_442, -198_172_363_548_498_523),
            ("a-little-bit-longer-string", 1_838_346_159_335_108_511, 8_794_688_210_320_490_705),
            ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -4_024_021_876_037_397_259, -1_482_317_706_335_141_238),
            ("abc", 1_489_494_923_063_836_066, -5_440_978_547_625_122_829),
        ]
        for (text, h1, h2) in cases {
            let hash = Murmur3.hash128(Array(text.utf8), seed: 123)
            #expect(Int64(bitPattern: hash.0) == h1 && Int64(bitPattern: hash.1) == h2, "\(text)")
        }
    }

    @Test func subscriptionWrappersRoundTripInKafkasLayout() throws {
        let serde = Serde<SubscriptionWrapper<String>>.subscriptionWrapper(primaryKey: .string)
        let wrapper = SubscriptionWrapper(
            hash: (1, 2), instruction: .propagateNullIfNoForeignValue, primaryKey: "pk", primaryPartition: 3)
        let bytes = try #require(try serde.serialize(wrapper))
        #expect(bytes == [1, 2] + [0, 0, 0, 0, 0, 0, 0, 1] + [0, 0, 0, 0, 0, 0, 0, 2] + Array("pk".utf8) + [0, 0, 0, 3])
        let read = try serde.deserialize(bytes)
        #expect(read.primaryKey == "pk" && read.primaryPartition == 3 && read.instruction == .propagateNullIfNoForeignValue)
        #expect(read.hash?.0 == 1 && read.hash?.1 == 2)
        // No hash: the high bit of the version byte; version 0 has no partition.
        let deleted = try #require(
            try serde.serialize(SubscriptionWrapper(hash: nil, instruction: .deleteKeyAndPropagate, primaryKey: "pk", primaryPartition: 0)))
        #expect(deleted == [0x81, 1] + Array("pk".utf8) + [0, 0, 0, 0])
        let versionZero = try serde.deserialize([0x80, 0] + Array("pk".utf8))
        #expect(versionZero.hash == nil && versionZero.primaryPartition == nil && versionZero.primaryKey == "pk")

        let responses = Serde<SubscriptionResponseWrapper<String>>.subscriptionResponse(foreignValue: .string)
        let response = try #require(try responses.serialize(SubscriptionResponseWrapper(originalValueHash: (1, 2), foreignValue: "v")))
        #expect(response == [0] + [0, 0, 0, 0, 0, 0, 0, 1] + [0, 0, 0, 0, 0, 0, 0, 2] + Array("v".utf8))
        #expect(try responses.deserialize([0x80]).foreignValue == nil)
    }
}
