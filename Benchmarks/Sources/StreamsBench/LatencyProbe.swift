import Foundation
import RdKafka

/// How a row's latency is measured (docs/benchmarks.md, "Latency").
struct LatencySettings: Sendable {
    /// Input records sent in the latency phase of each row; 0 turns the phase off.
    let records: Int
    /// Records per second, evenly paced.
    let rate: Int
}

/// End-to-end latency percentiles of one row's latency phase.
struct LatencyStats {
    /// Input records sent, priming records included.
    let inputRecords: Int
    /// Words in those records (what a word count reads back through its repartition topic).
    let inputWords: Int
    /// Output records observed: one latency sample each.
    let samples: Int
    let p50Ms: Double
    let p99Ms: Double
    let maxMs: Double
}

/// The latency phase of a row, run once its throughput phase is complete and checked: the row's
/// processor (application or hand-written loop) is started again with the same application id or
/// group and state, reading a topic of its own (`<row>-latency-input`, same partitions; the shared
/// input must stay as it is for the rows after), and once it is running and assigned:
///
/// A producer first sends one priming line to each partition and waits for all their outputs
/// (not timed: a processor just started still sets up fetch positions and connections), then sends
/// ``LatencySettings/records`` records (the first lines of the input again, same keys) to that
/// topic at ``LatencySettings/rate`` per second, each with its CreateTime set to
/// the wall clock at the moment it is handed to librdkafka (`linger.ms=0`). Every row copies the
/// input record's timestamp to its outputs (the DSL's timestamp propagation; the loops set it
/// explicitly), so an output record's timestamp is the send time of the input it came from. A
/// reader assigned to the output topic at its end offsets takes the wall clock when each output
/// record is handed to it: latency = that time − the output record's timestamp, 1 ms resolution.
/// It spans the input producer, the broker, the processor's fetch, processing (and for the word
/// counts the repartition topic's round trip), the processor's producer (`linger.ms=5`), the
/// broker again and the reader's fetch. Every output record is one sample (a word count gives one
/// per word). The phase fails the row unless every expected output arrives within 30 s of the last
/// send.
enum LatencyProbe {
    /// What a row writes per input record.
    enum Outputs {
        /// One output per input record.
        case perRecord
        /// One output per word of the input line.
        case perWord
    }

    /// Sends the latency records to `topic` (the row's latency input, which its processor, already
    /// running and assigned, reads) and reads their outputs from `output`.
    static func measure(
        _ context: BenchContext, topic: String, output: String, outputs: Outputs, failure: () -> (any Error)?
    ) throws -> LatencyStats {
        let settings = context.latency
        let input = context.input
        let samples = input.sampleLines.isEmpty ? [Array("latency probe".utf8)] : input.sampleLines
        func wordCount(_ line: [UInt8]) -> Int { Words.split(String(decoding: line, as: UTF8.self)).count }
        func outputCount(_ lines: [[UInt8]]) -> Int {
            outputs == .perRecord ? lines.count : lines.reduce(0) { $0 + wordCount($1) }
        }
        // Priming: one line to each partition (keys chosen by murmur2), all outputs awaited, before
        // the measured records. A processor just started has fetch positions, producer metadata and
        // connections still to set up on some partitions: without this, the first ~0.7 s of
        // records on the embedded broker took 0.2-0.7 s, none of it steady-state latency.
        var primerKeys: [Int: String] = [:]
        for index in 0..<InputData.keyCount where primerKeys.count < input.partitions {
            let key = InputData.key(of: index)
            let partition = Murmur2.partition(of: key.utf8, partitions: input.partitions)
            if primerKeys[partition] == nil { primerKeys[partition] = key }
        }
        let primer = primerKeys.sorted { $0.key < $1.key }.enumerated().map { (key: $0.element.value, line: samples[$0.offset % samples.count]) }
        let measured = (0..<settings.records).map { (key: InputData.key(of: $0), line: samples[$0 % samples.count]) }

        let reader = try KafkaConsumer(configuration: context.settings.latencyReader(groupID: "\(output)-latency"))
        defer { reader.close() }
        let ends = try context.watcher.watermarks(topic: output, partitions: input.partitions)
        try reader.assign(
            ends.enumerated().map { TopicPartitionOffset(topic: output, partition: Int32($0.offset), offset: $0.element.high) })
        let producer = try KafkaProducer(
            configuration: context.settings.producer(clientID: "\(topic)-latency", overrides: ["linger.ms": "0"]))
        func send(_ record: (key: String, line: [UInt8])) throws {
            var key = record.key
            try key.withUTF8 { key in
                try record.line.withUnsafeBytes { value in
                    try InputData.produce(
                        producer, topic: topic, key: UnsafeRawBufferPointer(key), value: value, timestamp: wallClockMilliseconds())
                }
            }
        }

        var latencies: [Int64] = []
        latencies.reserveCapacity(outputCount(measured.map(\.line)))
        var received = 0
        let observe: (borrowing KafkaMessageView) -> Void = { message in
            received += 1
            latencies.append(wallClockMilliseconds() - message.timestamp)
        }
        func check(_ deadline: ContinuousClock.Instant, _ what: String, expected: Int) throws {
            guard ContinuousClock.now < deadline else {
                throw BenchError("latency phase: \(output) received \(received) of \(expected) outputs \(what)")
            }
            if let error = failure() { throw BenchError("the processor failed during the latency phase: \(error)") }
        }

        // Prime and wait.
        for record in primer { try send(record) }
        try producer.flush(timeout: .seconds(30))
        let primerOutputs = outputCount(primer.map(\.line))
        let primerDeadline = ContinuousClock.now + .seconds(30)
        while received < primerOutputs {
            try check(primerDeadline, "of the priming records within 30 s", expected: primerOutputs)
            _ = try reader.pollBatch(maxMessages: 1000, timeout: .milliseconds(5), observe)
        }
        try context.expect(received == primerOutputs, "latency phase: \(received) outputs for \(primerOutputs) of the priming records")
        received = 0
        latencies.removeAll(keepingCapacity: true)

        // Measure: send on schedule and read in between, on this thread (observations are late by
        // at most one produce call).
        let expected = outputCount(measured.map(\.line))
        let interval = Duration.microseconds(1_000_000 / Int64(max(settings.rate, 1)))
        let start = ContinuousClock.now
        let deadline = start + interval * measured.count + .seconds(30)
        var next = 0
        while received < expected {
            try check(deadline, "within 30 s of the last send", expected: expected)
            var now = ContinuousClock.now
            while next < measured.count, start + interval * next <= now {
                try send(measured[next])
                next += 1
                now = ContinuousClock.now
            }
            producer.poll()
            let untilNext = next < measured.count ? (start + interval * next) - now : .milliseconds(5)
            _ = try reader.pollBatch(maxMessages: 1000, timeout: min(max(untilNext, .zero), .milliseconds(5)), observe)
        }
        try producer.flush(timeout: .seconds(30))
        try context.expect(received == expected, "latency phase: \(output) received \(received) outputs, expected \(expected)")
        if ProcessInfo.processInfo.environment["STREAMS_BENCH_DEBUG"] != nil {
            print("  latency in arrival order (every \(max(1, latencies.count / 40))th): "
                + stride(from: 0, to: latencies.count, by: max(1, latencies.count / 40)).map { String(latencies[$0]) }.joined(separator: " "))
        }
        latencies.sort()
        return LatencyStats(
            inputRecords: primer.count + measured.count,
            inputWords: (primer + measured).reduce(0) { $0 + wordCount($1.line) }, samples: latencies.count,
            p50Ms: percentile(latencies, 0.50), p99Ms: percentile(latencies, 0.99), maxMs: Double(latencies.last ?? 0))
    }

    /// The nearest-rank percentile of sorted samples.
    static func percentile(_ sorted: [Int64], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return Double(sorted[min(max(rank, 1), sorted.count) - 1])
    }

    static func wallClockMilliseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }
}
