import Foundation
import RdKafka

/// The pre-loaded input topic that every row reads: text lines of at most ``lineBytes`` bytes (about
/// 97 on average) made of lowercase words drawn uniformly from a fixed vocabulary, keyed by the
/// line's number modulo ``keyCount`` in decimal (so records spread evenly over partitions by key
/// hash: null keys would go to librdkafka's sticky partitioner, which piles thousands of records
/// onto one partition at a time; and the windowed count and the join see many keys, each many
/// times), with timestamps rising evenly over ``timestampSpan`` (so the windowed count sees a few
/// 1-minute windows), and what counting their words must give.
struct InputData: Sendable {
    /// Longest line, in bytes.
    static let lineBytes = 100
    /// Distinct words (3 to 10 letters).
    static let vocabularySize = 10_000
    /// Distinct keys: line `i` has key `String(i % keyCount)`.
    static let keyCount = 10_000
    /// Timestamps of the lines go from ``timestampBase`` up to this much later, in milliseconds.
    static let timestampSpan: Int64 = 5 * 60_000

    let topic: String
    let partitions: Int
    let recordCount: Int
    /// Bytes of all values.
    let valueBytes: Int
    /// Bytes of keys and values per partition (as the default partitioner places them).
    let partitionBytes: [Int]
    /// Words in all lines: the number of count updates a word count emits.
    let wordCount: Int
    /// How often each word occurs: the final count a word count must reach for it.
    let wordFrequencies: [String: Int64]
    /// Timestamp of line 0 (epoch ms, a whole minute ten minutes before the load).
    let timestampBase: Int64
    /// The first ``sampleCount`` lines (fewer if the input is smaller): what the latency phase of
    /// each row sends again, with timestamps of the moment they are sent.
    let sampleLines: [[UInt8]]

    /// Lines kept in ``sampleLines``.
    static let sampleCount = 1_000

    /// The key of line `index`.
    static func key(of index: Int) -> String { String(index % keyCount) }

    /// The timestamp of line `index`: rising evenly over ``timestampSpan``, never decreasing.
    func timestamp(of index: Int) -> Int64 {
        timestampBase + Int64(index) * Self.timestampSpan / Int64(max(recordCount, 1))
    }

    /// Generates `records` lines (the same for the same count) and produces them to `topic`,
    /// waiting until all are acknowledged.
    static func load(topic: String, partitions: Int, records: Int, settings: ClientSettings) throws -> InputData {
        var generator = SplitMix64(seed: 20_240_611)
        let vocabulary: [[UInt8]] = (0..<vocabularySize).map { _ in
            (0..<Int.random(in: 3...10, using: &generator)).map { _ in UInt8.random(in: 0x61...0x7A, using: &generator) }
        }
        var frequencies = [Int64](repeating: 0, count: vocabularySize)
        let producer = try KafkaProducer(configuration: settings.producer(clientID: "streams-bench-loader"))
        var line: [UInt8] = []
        line.reserveCapacity(lineBytes)
        var nextWord = Int.random(in: 0..<vocabularySize, using: &generator)
        var valueBytes = 0
        var partitionBytes = [Int](repeating: 0, count: partitions)
        var wordCount = 0
        var sampleLines: [[UInt8]] = []
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let timestampBase = now / 60_000 * 60_000 - 10 * 60_000
        for index in 0..<records {
            line.removeAll(keepingCapacity: true)
            // Words are added while they fit; the first that does not starts the next line.
            while line.count + (line.isEmpty ? 0 : 1) + vocabulary[nextWord].count <= lineBytes {
                if !line.isEmpty { line.append(UInt8(ascii: " ")) }
                line.append(contentsOf: vocabulary[nextWord])
                frequencies[nextWord] += 1
                wordCount += 1
                nextWord = Int.random(in: 0..<vocabularySize, using: &generator)
            }
            valueBytes += line.count
            if index < sampleCount { sampleLines.append(line) }
            var key = key(of: index)
            let timestamp = timestampBase + Int64(index) * timestampSpan / Int64(max(records, 1))
            partitionBytes[Murmur2.partition(of: key.utf8, partitions: partitions)] += key.utf8.count + line.count
            try key.withUTF8 { key in
                try line.withUnsafeBytes { value in
                    try produce(producer, topic: topic, key: UnsafeRawBufferPointer(key), value: value, timestamp: timestamp)
                }
            }
        }
        try producer.flush(timeout: .seconds(120))
        var wordFrequencies: [String: Int64] = [:]
        for (index, word) in vocabulary.enumerated() where frequencies[index] > 0 {
            wordFrequencies[String(decoding: word, as: UTF8.self), default: 0] += frequencies[index]
        }
        return InputData(
            topic: topic, partitions: partitions, recordCount: records, valueBytes: valueBytes,
            partitionBytes: partitionBytes, wordCount: wordCount,
            wordFrequencies: wordFrequencies, timestampBase: timestampBase, sampleLines: sampleLines)
    }

    /// Produces one record (to `partition`, else where the producer's partitioner puts it),
    /// serving delivery reports and retrying while the local queue is full (as the streams
    /// runtime's record collector does).
    static func produce(
        _ producer: KafkaProducer, topic: String, partition: Int32? = nil, key: UnsafeRawBufferPointer?,
        value: UnsafeRawBufferPointer?, timestamp: Int64?
    ) throws {
        try retryingWhileQueueFull(producer) { () throws(KafkaError) in
            try producer.produce(topic: topic, partition: partition, key: key, value: value, timestamp: timestamp)
        }
    }

    /// ``produce(_:topic:partition:key:value:timestamp:)`` through a topic handle, as the
    /// hand-written loops produce.
    static func produce(
        _ producer: KafkaProducer, to topic: KafkaProducer.Topic, partition: Int32? = nil, key: UnsafeRawBufferPointer?,
        value: UnsafeRawBufferPointer?, timestamp: Int64?
    ) throws {
        try retryingWhileQueueFull(producer) { () throws(KafkaError) in
            try producer.produce(to: topic, partition: partition, key: key, value: value, timestamp: timestamp)
        }
    }

    @inline(__always)
    private static func retryingWhileQueueFull(_ producer: KafkaProducer, _ send: () throws(KafkaError) -> Void) throws {
        while true {
            do {
                try send()
                return
            } catch where error.errorCode == .queueFull {
                producer.poll(timeout: .milliseconds(10))
            }
        }
    }
}
