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
    static func bytesPerInputRecord(wordCount: Bool) -> Double {
        wordCount ? 13.3 * (6.5 + 8 + Double(recordOverhead)) : 102 + Double(recordOverhead)
    }

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

    /// The largest partition of a word count's changelog (word → 8-byte count) when each record
    /// carries `extraBytesPerRecord` more (headers).
    static func countsPartition(_ input: InputData, extraBytesPerRecord: Int) -> Int {
        var counts = [Int](repeating: 0, count: input.partitions)
        for (word, frequency) in input.wordFrequencies {
            let partition = Murmur2.partition(of: word.utf8, partitions: input.partitions)
            counts[partition] += Int(frequency) * (word.utf8.count + 8 + recordOverhead + extraBytesPerRecord)
        }
        return counts.max() ?? 0
    }

    static func estimate(_ input: InputData, wordCount: Bool) -> Estimate {
        let partitions = input.partitions
        // Records per partition are not counted; the overhead is spread evenly (keys are uniform).
        let inputPartition = (input.partitionBytes.max() ?? 0) + input.recordCount * recordOverhead / partitions
        var repartition = [Int](repeating: 0, count: partitions)
        var counts = [Int](repeating: 0, count: partitions)
        for (word, frequency) in input.wordFrequencies {
            let length = word.utf8.count
            let partition = Murmur2.partition(of: word.utf8, partitions: partitions)
            repartition[partition] += Int(frequency) * (2 * length + recordOverhead)
            counts[partition] += Int(frequency) * (length + 8 + recordOverhead)
        }
        return Estimate(
            inputPartition: inputPartition, repartitionPartition: repartition.max() ?? 0,
            countsPartition: counts.max() ?? 0, wordCount: wordCount)
    }
}
