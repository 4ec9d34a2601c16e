import KafkaStreams
import KafkaStreamsTesting
import Testing

@Suite struct WordCountExampleTests {
    @Test func issueExampleCompilesAndPassesAsWritten() throws {
        let builder = StreamsBuilder()
        builder.stream("text-lines", consumed: .with(key: .optional(.string), value: .string))
            .flatMapValues { line in line.lowercased().split(separator: " ").map(String.init) }
            .groupBy(grouped: .with(key: .string, value: .string)) { _, word in word }
            .count(materialized: .as("counts"))
            .toStream()
            .to("word-counts", produced: .with(key: .string, value: .int64))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("text-lines", key: .optional(.string), value: .string)
        let output = driver.createOutputTopic("word-counts", key: .string, value: .int64)
        try input.pipeInput(key: nil, value: "a b a", timestamp: 0)
        #expect(output.readKeyValuesToMap() == ["a": 2, "b": 1])
        #expect(try driver.keyValueStore("counts", key: .string, value: .int64).get("a") == 2)
    }

    @Test func everyUpdateIsForwardedInOrder() throws {
        let builder = StreamsBuilder()
        builder.stream("text-lines", consumed: .with(key: .optional(.string), value: .string))
            .flatMapValues { line in line.split(separator: " ").map(String.init) }
            .groupBy(grouped: .with(key: .string, value: .string)) { _, word in word }
            .count(materialized: .as("counts", storeType: .inMemory))
            .toStream()
            .to("word-counts", produced: .with(key: .string, value: .int64))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("text-lines", key: .optional(.string), value: .string)
        let output = driver.createOutputTopic("word-counts", key: .string, value: .int64)
        try input.pipeInput(key: nil, value: "a b a", timestamp: 5)
        try input.pipeInput(key: "k", value: "b", timestamp: 3)
        let records = output.readRecordsToList()
        #expect(records.map { KeyValue($0.key, $0.value) } == [KeyValue("a", 1), KeyValue("b", 1), KeyValue("a", 2), KeyValue("b", 2)])
        // An aggregate's timestamp is the largest of its inputs'.
        #expect(records.map(\.timestamp) == [5, 5, 5, 5])
    }
}
