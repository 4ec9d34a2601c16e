/// One row of the table: a name, the row it is compared with (its limit), and how to run it.
struct BenchRow {
    /// What a row writes, for sizing topics under the embedded broker's log limit.
    enum Workload {
        /// One output record per input record, no larger than the input record (pass-through,
        /// windowed count and its changelog, join results).
        case perRecord
        /// A word count: repartition, changelog and output records per word.
        case perWord
        /// A row with an input and topics of its own (the memory check): it does not read the
        /// shared input.
        case ownInput
    }

    let name: String
    /// The row whose throughput bounds this one; `nil` for a limit row (or the memory check).
    let limit: String?
    let workload: Workload
    /// Whether the row runs when `--rows` is not given.
    var byDefault = true
    let run: (BenchContext) throws -> RowRun

    /// Every row, in the order they run (a row runs after its limit row).
    static var all: [BenchRow] {
        [
            // Stateless work.
            BenchRow(name: RawPassthrough.name, limit: nil, workload: .perRecord, run: RawPassthrough.run),
            BenchRow(name: "stateless", limit: RawPassthrough.name, workload: .perRecord, run: StreamsRows.stateless),
            // Diagnostic, only when named: the stateless work by hand with typed values, the floor
            // of any typed pipeline (docs/benchmarks.md).
            BenchRow(
                name: TypedPassthrough.name, limit: RawPassthrough.name, workload: .perRecord, byDefault: false,
                run: TypedPassthrough.run),
            // Stateful work.
            BenchRow(name: RawWordCount.name, limit: nil, workload: .perWord, run: RawWordCount.run),
            BenchRow(name: "wordcount-memory", limit: RawWordCount.name, workload: .perWord) {
                try StreamsRows.wordCount($0, name: "wordcount-memory", storeType: .inMemory)
            },
            BenchRow(name: "wordcount-rocksdb", limit: RawWordCount.name, workload: .perWord) {
                try StreamsRows.wordCount($0, name: "wordcount-rocksdb", storeType: .persistent)
            },
            // The RocksDB word count under exactly-once v2 (100 ms commits, read_committed), same checks.
            BenchRow(name: "wordcount-eos", limit: "wordcount-rocksdb", workload: .perWord) {
                try StreamsRows.wordCount($0, name: "wordcount-eos", storeType: .persistent, exactlyOnce: true)
            },
            BenchRow(name: RawWindowedCount.name, limit: nil, workload: .perRecord, run: RawWindowedCount.run),
            BenchRow(name: "windowed-count", limit: RawWindowedCount.name, workload: .perRecord, run: StreamsRows.windowedCount),
            BenchRow(name: "stream-table-join", limit: RawPassthrough.name, workload: .perRecord, run: StreamsRows.streamTableJoin),
            // Memory: the RocksDB word count over 1,000,000 distinct words in a process of its own,
            // its peak RSS checked against the state memory budget plus a stated constant. Only
            // when asked for (`--rows memory-1m-keys`).
            BenchRow(name: MemoryCheck.name, limit: nil, workload: .ownInput, byDefault: false, run: MemoryCheck.run),
        ]
    }
}
