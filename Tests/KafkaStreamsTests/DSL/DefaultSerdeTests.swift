import Foundation
import KafkaStreams
import KafkaStreamsTesting
import Testing

/// Serde parameters left out: taken from the type's `DefaultSerde`, or a `TopologyError` that
/// names the node when the type has none.
@Suite struct DefaultSerdeTests {
    @Test func builtInTypesNeedNoSerdes() throws {
        let builder = StreamsBuilder()
        let stream: KStream<String, Int64> = builder.stream("in")
        stream
            .mapValues { Double($0) / 2 }
            .groupByKey()
            .reduce { a, b in a + b }
            .toStream()
            .to("out", produced: Produced<String, Double>())
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .int64)
        let output = driver.createOutputTopic("out", key: .string, value: .double)
        try input.pipeInput(key: "k", value: 3, timestamp: 0)
        try input.pipeInput(key: "k", value: 4, timestamp: 0)
        #expect(output.readValuesToList() == [1.5, 3.5])
    }

    @Test func groupByAndCountWithoutSerdes() throws {
        let builder = StreamsBuilder()
        builder.stream("lines", consumed: Consumed<String?, String>())
            .flatMapValues { $0.split(separator: " ").map(String.init) }
            .groupBy { _, word in word }
            .count(materialized: .as("counts"))
            .toStream()
            .to("out", produced: Produced<String, Int64>())
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("lines", key: .optional(.string), value: .string)
        let output = driver.createOutputTopic("out", key: .string, value: .int64)
        try input.pipeInput(key: nil, value: "a b a", timestamp: 0)
        #expect(output.readKeyValuesToMap() == ["a": 2, "b": 1])
    }

    @Test func everyBuiltInDefaultSerdeRoundTrips() throws {
        let id = UUID()
        let builder = StreamsBuilder()
        let stream: KStream<UUID, [UInt8]> = builder.stream("in")
        stream.mapValues { bytes in Int32(bytes.count) }.to("int32")
        stream.map { key, _ in (key.uuidString, Optional<Double>.none) }.to("optional")
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .uuid, value: .bytes)
        try input.pipeInput(key: id, value: [1, 2, 3], timestamp: 0)
        #expect(
            driver.createOutputTopic("int32", key: .uuid, value: .int32).readKeyValuesToList() == [kv(id, Int32(3))])
        let optional = driver.createOutputTopic("optional", key: .string, value: .optional(.double)).readKeyValuesToList()
        #expect(optional == [kv(id.uuidString, nil)])
    }

    @Test func codableTypesWithJSONSerdeDefault() throws {
        let builder = StreamsBuilder()
        let views: KStream<String, PageView> = builder.stream("views")
        views
            .filter { _, view in view.page != "/health" }
            .selectKey { _, view in view.page }
            .groupByKey()
            .count(materialized: .as("page-counts"))
        views.mapValues { PageView(user: $0.user.uppercased(), page: $0.page) }.to("upper")
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("views", key: .string, value: .json(PageView.self))
        try input.pipeInput(key: "1", value: PageView(user: "ann", page: "/home"), timestamp: 0)
        try input.pipeInput(key: "2", value: PageView(user: "bob", page: "/health"), timestamp: 0)
        try input.pipeInput(key: "3", value: PageView(user: "cid", page: "/home"), timestamp: 0)
        #expect(try driver.keyValueStore("page-counts", key: .string, value: .int64).get("/home") == 2)
        let upper = driver.createOutputTopic("upper", key: .string, value: .json(PageView.self))
        #expect(upper.readValuesToList().map(\.user) == ["ANN", "BOB", "CID"])
        // The JSON has sorted keys: equal values give equal bytes.
        let raw = driver.createOutputTopic("upper", key: .string, value: .string)
        try input.pipeInput(key: "4", value: PageView(user: "dee", page: "x"), timestamp: 0)
        #expect(raw.readValue() == #"{"page":"x","user":"DEE"}"#)
    }

    @Test func aTypeWithoutDefaultSerdeIsAnErrorNamingTheNode() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .mapValues { Plain(n: $0.count) }
            .to("out", produced: .as("plain-sink"))
        #expect(throws: TopologyError.missingSerde(node: "plain-sink", type: "Plain")) {
            try builder.build()
        }
    }

    @Test func missingSerdeOfASourceNamesTheSource() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: Consumed<String, Plain>.as("plain-source"))
            .to("out", produced: .with(key: .string, value: .json(Plain.self)))
        #expect(throws: TopologyError.missingSerde(node: "plain-source", type: "Plain")) {
            try builder.build()
        }
    }

    @Test func missingSerdeOfAnAggregateNamesItsProcessor() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .aggregate(initializer: { Plain(n: 0) }, named: "plain-agg", materialized: .as("plain-store")) { _, _, agg in
                Plain(n: agg.n + 1)
            }
        #expect(throws: TopologyError.missingSerde(node: "plain-agg", type: "Plain")) {
            try builder.build()
        }
    }

    @Test func missingSerdeOfAnUnnamedAggregateNamesItsProcessor() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .aggregate(initializer: { Plain(n: 0) }) { _, _, agg in Plain(n: agg.n + 1) }
        // Source 0, store 1, processor 2.
        #expect(throws: TopologyError.missingSerde(node: "KSTREAM-AGGREGATE-0000000002", type: "Plain")) {
            try builder.build()
        }
    }

    @Test func missingSerdeIsReportedWithAHelpfulMessage() throws {
        let error = TopologyError.missingSerde(node: "KSTREAM-SINK-0000000002", type: "Plain")
        #expect(error.description.contains("KSTREAM-SINK-0000000002"))
        #expect(error.description.contains("Plain"))
    }

    @Test func serdesGivenOnlyAtTheSinkAreEnough() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .mapValues { Plain(n: $0.count) }
            .to("out", produced: .with(key: .string, value: .json(Plain.self)))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .string, value: .json(Plain.self))
        try input.pipeInput(key: "k", value: "four", timestamp: 0)
        #expect(output.readValue() == Plain(n: 4))
    }
}
