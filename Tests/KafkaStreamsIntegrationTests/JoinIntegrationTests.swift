import Foundation
import KafkaStreams
import KafkaStreamsTesting
import RdKafka
import Testing

@testable import Joins

/// Every join kind end to end on the embedded broker: internal topics created with
/// co-partitioned partition counts, tasks reading several partitions, the global thread.
@Suite(.serialized) struct JoinIntegrationTests {
    struct Order: Codable, Equatable, Sendable {
        var customer: String
        var amount: Int
    }

    /// Starts `topology`, runs `body`, and closes the application.
    func withStreams(
        _ topology: Topology, cluster: EmbeddedKafkaCluster, applicationID: String,
        _ body: (KafkaStreams, StreamsConfig) async throws -> Void
    ) async throws {
        let config = cluster.streamsConfig(applicationID: applicationID)
        let streams = try KafkaStreams(topology: topology, config: config, topicCreator: cluster.topicCreator)
        try streams.start()
        defer { streams.close() }
        try await waitUntil(timeout: .seconds(90), "application running") { streams.state == .running }
        try await body(streams, config)
        #expect(streams.close(timeout: .seconds(30)))
    }

    @Test func exampleRunsOnTheEmbeddedBroker() throws {
        let (views, clicks) = try Joins.parse([]).runEmbedded()
        #expect(views == JoinsTopology.expectedEnrichedViews)
        #expect(clicks == JoinsTopology.expectedClickedImpressions)
    }

    @Test func streamTableJoinAfterAKeyChange() async throws {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("views", partitions: 3)
        try cluster.createTopic("users", partitions: 2)
        try cluster.createTopic("out", partitions: 2)
        let builder = StreamsBuilder()
        let users = builder.table("users", consumed: .with(key: .string, value: .string))
        builder.stream("views", consumed: .with(key: .optional(.string), value: .string))
            .selectKey { _, value in value }  // value: the user
            .join(users, joined: .as("by-user")) { user, name in "\(user) is \(name)" }
            .to("out", produced: .with(key: .string, value: .string))
        try await withStreams(try builder.build(), cluster: cluster, applicationID: "stream-table") { _, config in
            let names = ["alice": "Alice", "bob": "Bob", "carol": "Carol", "dave": "Dave"]
            try cluster.produce("users", names.map { ($0.key, $0.value) }, key: .string, value: .string, timestamp: 1000)
            try cluster.waitUntilConsumed(groupID: config.applicationID, topics: ["users"])
            let views = ["alice", "bob", "carol", "dave", "erin", "alice"]
            try cluster.produce("views", views.map { (String?.none, $0) }, key: .optional(.string), value: .string, timestamp: 2000)
            let records = try cluster.readRecords("out", key: .string, value: .string, count: 5, timeout: .seconds(60))
            #expect(records.map(\.value).sorted() == ["alice is Alice", "alice is Alice", "bob is Bob", "carol is Carol", "dave is Dave"])
            // The repartition topic is co-partitioned with the table: 2 partitions, not 3.
            let consumer = try KafkaConsumer(
                configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers, ["group.id": "check-\(UUID())"]))
            defer { consumer.close() }
            #expect(try consumer.partitionCount(topic: "stream-table-by-user-repartition", timeout: .seconds(10)) == 2)
        }
    }

    @Test func differentlyPartitionedInputsFailToStart() throws {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("views", partitions: 3)
        try cluster.createTopic("users", partitions: 2)
        let builder = StreamsBuilder()
        let users = builder.table("users", consumed: .with(key: .string, value: .string))
        builder.stream("views", consumed: .with(key: .string, value: .string))
            .join(users) { view, name in view + name }
            .to("out", produced: .with(key: .string, value: .string))
        let streams = try KafkaStreams(
            topology: try builder.build(), config: cluster.streamsConfig(applicationID: "copartition"),
            topicCreator: cluster.topicCreator)
        #expect {
            try streams.start()
        } throws: { error in
            guard case TopologyError.copartitioning(let message) = error else { return false }
            return message.contains("views") && message.contains("users")
        }
    }

    @Test func streamStreamLeftJoinEmitsUnmatchedRecordsAfterTheWindowCloses() async throws {
        let cluster = try EmbeddedKafkaCluster()
        for topic in ["impressions", "clicks", "out"] { try cluster.createTopic(topic, partitions: 2) }
        let builder = StreamsBuilder()
        let clicks = builder.stream("clicks", consumed: .with(key: .string, value: .string))
        builder.stream("impressions", consumed: .with(key: .string, value: .string))
            .leftJoin(clicks, windows: .ofTimeDifferenceWithNoGrace(.seconds(10))) { impression, click in
                "\(impression)+\(click ?? "none")"
            }
            .to("out", produced: .with(key: .string, value: .string))
        try await withStreams(try builder.build(), cluster: cluster, applicationID: "stream-stream") { _, config in
            let keys = (0..<6).map { "ad-\($0)" }
            try cluster.produce("impressions", keys.map { ($0, "i-\($0)") }, key: .string, value: .string, timestamp: 1000)
            // Clicks for the even ads, within the window.
            try cluster.produce(
                "clicks", keys.enumerated().filter { $0.offset % 2 == 0 }.map { ($0.element, "c-\($0.element)") },
                key: .string, value: .string, timestamp: 5000)
            try cluster.waitUntilConsumed(groupID: config.applicationID, topics: ["impressions", "clicks"])
            let matched = try cluster.readRecords("out", key: .string, value: .string, count: 3, timeout: .seconds(60))
            #expect(matched.map(\.value).sorted() == ["i-ad-0+c-ad-0", "i-ad-2+c-ad-2", "i-ad-4+c-ad-4"])
            // Moving stream time past the windows (in every task) emits the unmatched impressions.
            try cluster.produce("clicks", keys.map { ($0, "late") }, key: .string, value: .string, timestamp: 60_000)
            let all = try cluster.readRecords("out", key: .string, value: .string, count: 6, timeout: .seconds(60))
            #expect(all.map(\.value).sorted() == [
                "i-ad-0+c-ad-0", "i-ad-1+none", "i-ad-2+c-ad-2", "i-ad-3+none", "i-ad-4+c-ad-4", "i-ad-5+none",
            ])
        }
    }

    @Test func tableTableOuterJoin() async throws {
        let cluster = try EmbeddedKafkaCluster()
        for topic in ["names", "emails", "out"] { try cluster.createTopic(topic, partitions: 2) }
        let builder = StreamsBuilder()
        let names = builder.table("names", consumed: .with(key: .string, value: .string))
        let emails = builder.table("emails", consumed: .with(key: .string, value: .string))
        names.outerJoin(emails, materialized: .as("profiles", value: .string)) { name, email in
            "\(name ?? "?") <\(email ?? "?")>"
        }
        .toStream().to("out", produced: .with(key: .string, value: .string))
        try await withStreams(try builder.build(), cluster: cluster, applicationID: "table-table") { streams, config in
            try cluster.produce("names", [("a", "Ann"), ("b", "Bob")], key: .string, value: .string, timestamp: 1000)
            try cluster.waitUntilConsumed(groupID: config.applicationID, topics: ["names"])
            try cluster.produce("emails", [("b", "bob@x"), ("c", "cy@x")], key: .string, value: .string, timestamp: 2000)
            try cluster.waitUntilConsumed(groupID: config.applicationID, topics: ["emails"])
            try cluster.produce("names", [("a", String?.none)], key: .string, value: .optional(.string), timestamp: 3000)
            try cluster.waitUntilConsumed(groupID: config.applicationID, topics: ["names"])
            let store = try streams.store(.keyValue(name: "profiles", key: .string, value: .string))
            try await waitUntil(timeout: .seconds(30), "profiles joined") { (try? store.all().count) == 2 }
            #expect(try store.all() == [KeyValue("b", "Bob <bob@x>"), KeyValue("c", "? <cy@x>")])
            let updates = try cluster.readRecords("out", key: .string, value: .optional(.string), count: 5, timeout: .seconds(30))
            var latest: [String: String?] = [:]
            for update in updates { latest.updateValue(update.value, forKey: update.key) }
            let expected: [String: String?] = ["a": String?.none, "b": "Bob <bob@x>", "c": "? <cy@x>"]
            #expect(latest == expected)
        }
    }

    @Test func foreignKeyJoinOfTablesWithDifferentPartitionCounts() async throws {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("orders", partitions: 3)
        try cluster.createTopic("customers", partitions: 2)
        try cluster.createTopic("out", partitions: 1)
        let builder = StreamsBuilder()
        let orders = builder.table("orders", consumed: .with(key: .string, value: .json(Order.self)))
        let customers = builder.table("customers", consumed: .with(key: .string, value: .string))
        orders.join(customers, foreignKeyExtractor: { $0.customer }, materialized: .as("enriched-orders")) { order, name in
            "\(name):\(order.amount)"
        }
        .toStream().to("out", produced: .with(key: .string, value: .string))
        try await withStreams(try builder.build(), cluster: cluster, applicationID: "foreign-key") { streams, _ in
            try cluster.produce(
                "customers", (0..<4).map { ("c\($0)", "C\($0)") }, key: .string, value: .string, timestamp: 1000)
            try cluster.produce(
                "orders", (0..<10).map { ("o\($0)", Order(customer: "c\($0 % 4)", amount: $0)) }, key: .string,
                value: .json(Order.self), timestamp: 2000)
            let store = try streams.store(.keyValue(name: "enriched-orders", key: .string, value: .string))
            let expected = (0..<10).map { KeyValue("o\($0)", "C\($0 % 4):\($0)") }.sorted { $0.key < $1.key }
            try await waitUntil(timeout: .seconds(60), "every order joined") { (try? store.all()) == expected }
            // An order moves to another customer; a customer is renamed.
            try cluster.produce("orders", [("o0", Order(customer: "c1", amount: 0))], key: .string, value: .json(Order.self), timestamp: 3000)
            try cluster.produce("customers", [("c1", "Renamed")], key: .string, value: .string, timestamp: 4000)
            try await waitUntil(timeout: .seconds(60), "updates joined") {
                (try? store.get("o0")) == "Renamed:0" && (try? store.get("o5")) == "Renamed:5"
            }
            #expect(try store.get("o2") == "C2:2")
        }
    }

    /// A persistent global store resumes from its checkpoint; an in-memory one is read again.
    @Test(arguments: [Materialized<String, Int64>.StoreType.persistent, .inMemory])
    func globalTableSurvivesARestart(storeType: Materialized<String, Int64>.StoreType) async throws {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("products", partitions: 2)
        try cluster.createTopic("orders", partitions: 1)
        try cluster.createTopic("out", partitions: 1)
        let builder = StreamsBuilder()
        let products = builder.globalTable(
            "products", consumed: .with(key: .string, value: .int64), materialized: .as("prices", storeType: storeType))
        builder.stream("orders", consumed: .with(key: .string, value: .string))
            .join(products, keySelector: { _, product in product }) { product, price in "\(product)=\(price)" }
            .to("out", produced: .with(key: .string, value: .string))
        let topology = try builder.build()
        let config = cluster.streamsConfig(applicationID: "global-restart-\(storeType)")
        func prices(after produce: () throws -> Void) async throws -> [KeyValue<String, Int64>] {
            try produce()
            let streams = try KafkaStreams(topology: topology, config: config, topicCreator: cluster.topicCreator)
            try streams.start()  // returns once the global table is complete
            defer { streams.close() }
            // Queries need a running instance; the global store is complete already.
            try await waitUntil(timeout: .seconds(90), "application running") { streams.state == .running }
            let all = try streams.store(.keyValue(name: "prices", key: .string, value: .int64)).all()
            #expect(streams.close(timeout: .seconds(30)))
            return all
        }
        let first = try await prices {
            try cluster.produce("products", (0..<5).map { ("p\($0)", Int64($0)) }, key: .string, value: .int64)
        }
        #expect(first == (0..<5).map { KeyValue("p\($0)", Int64($0)) })
        // Persistent global stores checkpoint the offsets they cover (Kafka's format: version,
        // count, then `topic partition offset` lines), one line per partition.
        let checkpoint = "\(config.stateDir)/\(config.applicationID)/global/.checkpoint"
        if storeType == .persistent {
            let lines = try String(contentsOfFile: checkpoint, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 4 && lines[0] == "0" && lines[1] == "2", "\(lines)")
        } else {
            #expect(!FileManager.default.fileExists(atPath: checkpoint))
        }
        let second = try await prices {
            try cluster.produce("products", [("p5", Int64(5)), ("p0", Int64(100))], key: .string, value: .int64)
            try cluster.produce("products", [("p1", Int64?.none)], key: .string, value: .optional(.int64))
        }
        #expect(second == [KeyValue("p0", 100), KeyValue("p2", 2), KeyValue("p3", 3), KeyValue("p4", 4), KeyValue("p5", 5)])
    }

    @Test func globalTableIsRestoredBeforeProcessingAndKeptUpToDate() async throws {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("products", partitions: 3)
        try cluster.createTopic("orders", partitions: 2)
        try cluster.createTopic("out", partitions: 2)
        // The table's topic is full before the application starts.
        try cluster.produce(
            "products", (0..<20).map { ("p\($0)", Int64($0 * 10)) }, key: .string, value: .int64, timestamp: 1000)
        // Orders too: they are processed only once the global table is complete.
        try cluster.produce(
            "orders", (0..<20).map { ("o\($0)", "p\($0)") }, key: .string, value: .string, timestamp: 2000)
        let builder = StreamsBuilder()
        let products = builder.globalTable(
            "products", consumed: .with(key: .string, value: .int64), materialized: .as("prices"))
        builder.stream("orders", consumed: .with(key: .string, value: .string))
            .leftJoin(products, keySelector: { _, product in product }) { product, price in
                "\(product)=\(price.map(String.init) ?? "?")"
            }
            .to("out", produced: .with(key: .string, value: .string))
        try await withStreams(try builder.build(), cluster: cluster, applicationID: "global") { streams, _ in
            let joined = try cluster.readRecords("out", key: .string, value: .string, count: 20, timeout: .seconds(60))
            #expect(Set(joined.map(\.value)) == Set((0..<20).map { "p\($0)=\($0 * 10)" }))
            let prices = try streams.store(.keyValue(name: "prices", key: .string, value: .int64))
            #expect(try prices.get("p7") == 70)
            // Updates reach the store every task reads.
            try cluster.produce("products", [("p7", Int64(75))], key: .string, value: .int64, timestamp: 3000)
            try await waitUntil(timeout: .seconds(30), "global update applied") { (try? prices.get("p7")) == 75 }
            try cluster.produce("orders", [("o99", "p7")], key: .string, value: .string, timestamp: 4000)
            let more = try cluster.readRecords("out", key: .string, value: .string, count: 21, timeout: .seconds(60))
            #expect(more.contains { $0.key == "o99" && $0.value == "p7=75" })
        }
    }
}
