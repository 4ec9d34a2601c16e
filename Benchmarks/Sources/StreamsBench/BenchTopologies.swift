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

    /// The store of the windowed counts (`<applicationID>-windowed-counts-changelog`).
    static let windowedStore = "windowed-counts"

    /// The count per key per 1-minute tumbling window (no grace: the input's timestamps never
    /// decrease within a partition, so nothing is late) in a RocksDB window store, record cache
    /// off, every update sent with the `.timeWindowed` key layout. The input is already keyed, so
    /// `groupByKey` needs no repartition, as the hand-written loop.
    static func windowedCount(input: String, output: String) throws -> Topology {
        let builder = StreamsBuilder()
        builder.stream(input, consumed: .with(key: .string, value: .bytes))
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeWithNoGrace(.milliseconds(RawWindowedCount.windowMs)))
            .count(materialized: Materialized.as(windowedStore, storeType: .persistent).withCachingDisabled())
            .toStream()
            .to(output, produced: .with(key: .timeWindowed(.string, size: .milliseconds(RawWindowedCount.windowMs)), value: .int64))
        return try builder.build()
    }

    /// The store of the joined table (`<applicationID>-join-table-changelog`).
    static let joinTableStore = "join-table"

    /// The table of the stream-table join alone: run first, so that the table is complete (in its
    /// store and changelog) before the join reads the stream. Same source and store names as
    /// ``streamTableJoin(input:table:output:)``, so the join's tasks find this state.
    static func joinTable(table: String) throws -> Topology {
        let builder = StreamsBuilder()
        _ = builder.table(table, consumed: .with(key: .string, value: .string), materialized: .as(joinTableStore))
        return try builder.build()
    }

    /// Each input record joined with the table row of its key (a RocksDB store); the result is
    /// the table's value, written under the record's key.
    static func streamTableJoin(input: String, table: String, output: String) throws -> Topology {
        let builder = StreamsBuilder()
        let rows = builder.table(table, consumed: .with(key: .string, value: .string), materialized: .as(joinTableStore))
        builder.stream(input, consumed: .with(key: .string, value: .bytes))
            .join(rows) { _, row in row }
            .to(output, produced: .with(key: .string, value: .string))
        return try builder.build()
    }
}
