/// One row of the table: a name, the row it is compared with (its limit), and how to run it.
struct BenchRow {
    /// What a row writes, for sizing topics under the embedded broker's log limit.
    enum Workload {
        /// One output record per input record, no larger than the input record (pass-through,
        /// windowed count and its changelog, join results).
        case perRecord
        /// A word count: repartition, changelog and output records per word.
        case perWord
    }

    let name: String
    /// The row whose throughput bounds this one; `nil` for a limit row.
    let limit: String?
    let workload: Workload
    let run: (BenchContext) throws -> RowRun

    /// Every row, in the order they run (a row runs after its limit row).
    static var all: [BenchRow] {
        [
            // Stateless work.
            BenchRow(name: RawPassthrough.name, limit: nil, workload: .perRecord, run: RawPassthrough.run),
            BenchRow(name: "stateless", limit: RawPassthrough.name, workload: .perRecord, run: StreamsRows.stateless),
            // Stateful work.
            BenchRow(name: RawWordCount.name, limit: nil, workload: .perWord, run: RawWordCount.run),
            BenchRow(name: "wordcount-memory", limit: RawWordCount.name, workload: .perWord) {
                try StreamsRows.wordCount($0, storeType: .inMemory)
            },
            BenchRow(name: "wordcount-rocksdb", limit: RawWordCount.name, workload: .perWord) {
                try StreamsRows.wordCount($0, storeType: .persistent)
            },
            BenchRow(name: RawWindowedCount.name, limit: nil, workload: .perRecord, run: RawWindowedCount.run),
            BenchRow(name: "windowed-count", limit: RawWindowedCount.name, workload: .perRecord, run: StreamsRows.windowedCount),
            BenchRow(name: "stream-table-join", limit: RawPassthrough.name, workload: .perRecord, run: StreamsRows.streamTableJoin),
            // Still to come (issue 10), checked like the rows above (every input read, every
            // expected output written): "wordcount-eos", wordcount-rocksdb under exactly-once v2
            // (100 ms commit), limit "wordcount-rocksdb" (needs a broker that honours transactions
            // for a meaningful figure; the mock accepts the calls).
        ]
    }
}
