import KafkaStreams

/// The word count: lines of `text-lines` split into words (maximal runs of letters, lowercased),
/// counted per word in the store `counts`, every updated count written to `word-counts` as
/// 8-byte big-endian integers (Kafka's `LongSerializer` format). Both topic names can be changed
/// (`--input-topic`, `--output-topic`), for example to run several instances on one broker.
enum WordCountTopology {
    static let inputTopic = "text-lines"
    static let outputTopic = "word-counts"
    static let storeName = "counts"

    static func words(in line: String) -> [String] {
        line.split(whereSeparator: { !$0.isLetter }).map { $0.lowercased() }
    }

    static func build(
        storeType: Materialized<String, Int64>.StoreType, inputTopic: String = WordCountTopology.inputTopic,
        outputTopic: String = WordCountTopology.outputTopic
    ) throws -> Topology {
        let builder = StreamsBuilder()
        builder.stream(inputTopic, consumed: .with(key: .optional(.string), value: .string))
            .flatMapValues { line in words(in: line) }
            .groupBy(grouped: .with(key: .string, value: .string)) { _, word in word }
            .count(materialized: .as(storeName, storeType: storeType))
            .toStream()
            .to(outputTopic, produced: .with(key: .string, value: .int64))
        return try builder.build()
    }
}
