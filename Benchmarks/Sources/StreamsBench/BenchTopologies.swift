import KafkaStreams

/// The DSL topologies of the streams rows. Their user functions do the same work as the
/// hand-written loops (identity/always-true for the stateless row, ``Words/split(_:)`` for the
/// word count), so a row's ratio to its limit row measures the library, not the user code.
enum BenchTopologies {
    /// The store of the word counts; the runtime names its topics `<applicationID>-counts-repartition`
    /// and `<applicationID>-counts-changelog`.
    static let countStore = "counts"

    /// `mapValues + filter + to`: every record passes, unchanged.
    static func stateless(input: String, output: String) throws -> Topology {
        let builder = StreamsBuilder()
        builder.stream(input, consumed: .with(key: .optional(.bytes), value: .bytes))
            .mapValues { value in value }
            .filter { _, value in !value.isEmpty }
            .to(output, produced: .with(key: .optional(.bytes), value: .bytes))
        return try builder.build()
    }

    /// The word count: split lines, group by word (through a repartition topic), count into a
    /// logged store, send every updated count. The record cache is off, so every update is sent, as
    /// the hand-written loop does.
    static func wordCount(input: String, output: String, storeType: Materialized<String, Int64>.StoreType) throws -> Topology {
        let builder = StreamsBuilder()
        builder.stream(input, consumed: .with(key: .optional(.string), value: .string))
            .flatMapValues { line in Words.split(line) }
            .groupBy(grouped: .with(key: .string, value: .string)) { _, word in word }
            .count(materialized: Materialized.as(countStore, storeType: storeType).withCachingDisabled())
            .toStream()
            .to(output, produced: .with(key: .string, value: .int64))
        return try builder.build()
    }
}
