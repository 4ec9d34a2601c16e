import KafkaStreams
import KafkaStreamsTesting
import Testing

/// Global tables and stream-global table joins: lookup by a key computed from the record, the
/// table as it is when the record is processed, no co-partitioning.
@Suite struct JoinGlobalTableTests {
    struct Order: Codable, Equatable, Sendable {
        var product: String
        var quantity: Int
    }

    struct Harness {
        let driver: TopologyTestDriver
        let orders: TestInputTopic<String, Order>
        let products: TestInputTopic<String, Int64?>
        let output: TestOutputTopic<String, String>

        init(leftJoin: Bool, partitions: [String: Int32] = [:]) throws {
            let builder = StreamsBuilder()
            let prices = builder.globalTable(
                "products", consumed: .with(key: .string, value: .int64), materialized: .as("prices", storeType: .inMemory))
            let orders = builder.stream("orders", consumed: .with(key: .string, value: .json(Order.self)))
            let joined =
                leftJoin
                ? orders.leftJoin(prices, keySelector: { _, order in order.product }) { order, price in
                    "\(order.quantity)x\(order.product)=\(price.map { String($0 * Int64(order.quantity)) } ?? "?")"
                }
                : orders.join(prices, keySelector: { _, order in order.product }) { order, price in
                    "\(order.quantity)x\(order.product)=\(price * Int64(order.quantity))"
                }
            joined.to("out", produced: .with(key: .string, value: .string))
            driver = try TopologyTestDriver(topology: builder.build(), partitions: partitions)
            self.orders = driver.createInputTopic("orders", key: .string, value: .json(Order.self))
            products = driver.createInputTopic("products", key: .string, value: .optional(.int64))
            output = driver.createOutputTopic("out", key: .string, value: .string)
        }
    }

    /// Updates of the global table before or after a stream record, and what the record sees.
    @Test(arguments: [false, true])
    func globalTableUpdatesBeforeAndAfterAStreamRecord(leftJoin: Bool) throws {
        let h = try Harness(leftJoin: leftJoin)
        try h.orders.pipeInput(key: "o1", value: Order(product: "pen", quantity: 2), timestamp: 10)
        #expect(h.output.readKeyValuesToList() == (leftJoin ? [kv("o1", "2xpen=?")] : []))
        try h.products.pipeInput(key: "pen", value: 3, timestamp: 20)  // after o1: o1 is not redone
        #expect(h.output.isEmpty)
        try h.orders.pipeInput(key: "o2", value: Order(product: "pen", quantity: 2), timestamp: 5)  // earlier time
        #expect(h.output.readKeyValuesToList() == [kv("o2", "2xpen=6")])
        try h.products.pipeInput(key: "pen", value: 4, timestamp: 30)
        try h.orders.pipeInput(key: "o3", value: Order(product: "pen", quantity: 1), timestamp: 31)
        #expect(h.output.readKeyValuesToList() == [kv("o3", "1xpen=4")])
        try h.products.pipeInput(key: "pen", value: nil, timestamp: 40)  // tombstone
        try h.orders.pipeInput(key: "o4", value: Order(product: "pen", quantity: 1), timestamp: 41)
        #expect(h.output.readKeyValuesToList() == (leftJoin ? [kv("o4", "1xpen=?")] : []))
    }

    @Test func theGlobalStoreHoldsEveryPartitionAndCanBeQueried() throws {
        let h = try Harness(leftJoin: false, partitions: ["orders": 4, "products": 3])
        for (product, price) in [("pen", 1), ("ink", 2), ("pad", 3), ("cap", 4)] {
            try h.products.pipeInput(key: product, value: Int64(price), timestamp: 0)
        }
        // Orders of every partition see every product: no co-partitioning is needed.
        for (index, product) in ["pen", "ink", "pad", "cap"].enumerated() {
            try h.orders.pipeInput(key: "o\(index)", value: Order(product: product, quantity: 10), timestamp: 1)
        }
        #expect(h.output.readKeyValuesToMap() == ["o0": "10xpen=10", "o1": "10xink=20", "o2": "10xpad=30", "o3": "10xcap=40"])
        let store = try h.driver.keyValueStore("prices", key: .string, value: .int64)
        #expect(try store.all() == [kv("cap", 4), kv("ink", 2), kv("pad", 3), kv("pen", 1)])
    }

    @Test func recordsWithNullValuesOrLookupKeysAreDropped() throws {
        for leftJoin in [false, true] {
            let builder = StreamsBuilder()
            let names = builder.globalTable("names", consumed: .with(key: .optional(.string), value: .string))
            let events = builder.stream("events", consumed: .with(key: .optional(.string), value: .optional(.string)))
            let selector: @Sendable (String?, String?) -> String? = { key, value in value.flatMap { $0.isEmpty ? nil : $0 } ?? key }
            let joined =
                leftJoin
                ? events.leftJoin(names, keySelector: selector) { event, name in "\(event ?? "-")/\(name ?? "null")" }
                : events.join(names, keySelector: selector) { event, name in "\(event ?? "-")/\(name)" }
            joined.to("out", produced: .with(key: .optional(.string), value: .string))
            let driver = try TopologyTestDriver(topology: builder.build())
            let input = driver.createInputTopic("events", key: .optional(.string), value: .optional(.string))
            let namesInput = driver.createInputTopic("names", key: .optional(.string), value: .optional(.string))
            let output = driver.createOutputTopic("out", key: .optional(.string), value: .string)
            try namesInput.pipeInput(key: "a", value: "Alice", timestamp: 0)
            try namesInput.pipeInput(key: nil, value: "nobody", timestamp: 0)  // no key: dropped
            try input.pipeInput(key: "k", value: nil, timestamp: 0)  // null value: dropped
            try input.pipeInput(key: "k", value: "", timestamp: 0)  // lookup key "k": no match
            try input.pipeInput(key: nil, value: "a", timestamp: 0)  // no key, lookup key "a"
            try input.pipeInput(key: nil, value: "", timestamp: 0)  // no key and no lookup key
            let expected: [KeyValue<String?, String>] =
                leftJoin ? [kv("k", "/null"), kv(nil, "a/Alice"), kv(nil, "/null")] : [kv(nil, "a/Alice")]
            #expect(output.readKeyValuesToList() == expected, "left join: \(leftJoin)")
            #expect(driver.droppedRecordsCount == (leftJoin ? 2 : 3), "left join: \(leftJoin)")
        }
    }

    @Test func aGlobalTableJoinKeepsTheStreamsNeedForRepartitioning() throws {
        let builder = StreamsBuilder()
        let names = builder.globalTable("names", consumed: .with(key: .string, value: .string))
        builder.stream("events", consumed: .with(key: .string, value: .string))
            .selectKey { _, value in value }
            .join(names, keySelector: { key, _ in key }) { value, name in name }
            .groupByKey(grouped: .with(name: "by-name", key: .string, value: .string))
            .count(materialized: .as("counts"))
        let description = try builder.build().describe().description
        #expect(description.contains("by-name-repartition"))
        #expect(description.contains("KSTREAM-LEFTJOIN-"))
    }

    @Test func describeShowsGlobalStoresAfterTheSubtopologies() throws {
        let builder = StreamsBuilder()
        let prices = builder.globalTable("products", consumed: .with(key: .string, value: .int64))
        builder.stream("orders", consumed: .with(key: .string, value: .string))
            .join(prices, keySelector: { _, product in product }) { _, price in price }
            .to("out", produced: .with(key: .string, value: .int64))
        let description = try builder.build().describe()
        #expect(description.subtopologies.count == 1)
        #expect(
            description.description.hasSuffix(
                """
                  Sub-topology: 1 for global store (will not generate tasks)
                    Source: KSTREAM-SOURCE-0000000001 (topics: [products])
                      --> KTABLE-SOURCE-0000000002
                    Processor: KTABLE-SOURCE-0000000002 (stores: [products-STATE-STORE-0000000000])
                      --> none
                      <-- KSTREAM-SOURCE-0000000001


                """))
    }

    @Test func globalTopicsCannotAlsoBeReadByAStream() throws {
        let builder = StreamsBuilder()
        _ = builder.globalTable("names", consumed: .with(key: .string, value: .string))
        builder.stream("names", consumed: .with(key: .string, value: .string)).to("out")
        #expect(throws: TopologyError.self) { try builder.build() }
    }
}
