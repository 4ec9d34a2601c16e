/// The embedded broker's per-partition log limit (../shared/BROKERS.md): librdkafka 2.0.2's mock
/// keeps at most 5 MiB of record batches per partition and silently deletes older ones.
///
/// Before running, the harness estimates the largest partition of every topic the rows write
/// (uncompressed record bytes; keyed topics partitioned with murmur2 as the producers do). After
/// each row it checks that no partition's low watermark moved, which is what deletion would show.
enum MockLogLimit {
    static let bytesPerPartition = 5 * 1024 * 1024

    /// Bytes of a record in a v2 batch besides key and value: length, attributes, timestamp and
    /// offset deltas, key and value lengths, header count (varints), plus the batch header
    /// (61 bytes) shared by many records.
    static let recordOverhead = 12

    /// Estimated bytes of the largest topic per input record, before the input is generated (to
    /// choose a partition count): a line of ~97 bytes with a ~5-byte key, or ~13.3 words each
    /// written as a count record of ~6.5 + 8 bytes.
    /// With `exactlyOnce`, the records carry the library's exactly-once headers, and the
    /// repartition topic (a ~6.5-byte word as key and value plus its header) is the largest.
    static func bytesPerInputRecord(wordCount: Bool, exactlyOnce: Bool = false) -> Double {
        guard wordCount else { return 102 + Double(recordOverhead) }
        guard exactlyOnce else { return 13.3 * (6.5 + 8 + Double(recordOverhead)) }
        let repartition = 2 * 6.5 + Double(recordOverhead + exactlyOnceRepartitionHeaderBytes)
        let counts = 6.5 + 8 + Double(recordOverhead + exactlyOnceChangelogHeaderBytes)
        return 13.3 * max(repartition, counts)
    }

    /// Under exactly-once, each changelog record of the word count carries the library's
    /// `__streams.origin` header (the 8-byte input offset: the count task reads one topic), each
    /// repartition record its `__streams.source` header (upstream partition, offset and sequence,
    /// 16 bytes); 3 bytes of lengths each (docs/exactly-once.md; the names are private to the library).
    static let exactlyOnceChangelogHeaderBytes = 3 + "__streams.origin".utf8.count + 8
    static let exactlyOnceRepartitionHeaderBytes = 3 + "__streams.source".utf8.count + 16

    /// The largest estimated partition per topic kind, in bytes (uncompressed).
    struct Estimate {
        /// The input, and each pass-through output (same records and keys, so same partitions).
        let inputPartition: Int
        /// A repartition topic of the word count: word → word.
        let repartitionPartition: Int
        /// The word count's output or its store's changelog: word → 8-byte count.
        let countsPartition: Int

        /// Whether word-count rows run (otherwise only the input and pass-through outputs matter).
        let wordCount: Bool

        var largest: Int { wordCount ? max(inputPartition, repartitionPartition, countsPartition) : inputPartition }

        var largestTopic: String {
            if largest == inputPartition { return "input/pass-through output" }
            return largest == repartitionPartition ? "word-count repartition" : "word-count output/changelog"
        }
    }

    /// With `exactlyOnce`, word-count records carry the exactly-once headers.
    static func estimate(_ input: InputData, wordCount: Bool, exactlyOnce: Bool = false) -> Estimate {
        let partitions = input.partitions
        // Records per partition are not counted; the overhead is spread evenly (keys are uniform).
        let inputPartition = (input.partitionBytes.max() ?? 0) + input.recordCount * recordOverhead / partitions
        var repartition = [Int](repeating: 0, count: partitions)
        var counts = [Int](repeating: 0, count: partitions)
        for (word, frequency) in input.wordFrequencies {
            let length = word.utf8.count
            let partition = Murmur2.partition(of: word.utf8, partitions: partitions)
            repartition[partition] += Int(frequency) * (2 * length + recordOverhead
                + (exactlyOnce ? exactlyOnceRepartitionHeaderBytes : 0))
            counts[partition] += Int(frequency) * (length + 8 + recordOverhead
                + (exactlyOnce ? exactlyOnceChangelogHeaderBytes : 0))
        }
        return Estimate(
            inputPartition: inputPartition, repartitionPartition: repartition.max() ?? 0,
            countsPartition: counts.max() ?? 0, wordCount: wordCount)
    }
}
