import Foundation
import KafkaStreams
import KafkaStreamsTesting
import Testing

/// Tasks that read several partitions (here a merge of two topics) buffer each poll batch's
/// records, borrowed from the batch, and process them in timestamp order before it is released.
@Suite(.serialized) struct MultiPartitionTaskTests {
    static func mergeTopology() throws -> Topology {
        let builder = StreamsBuilder()
        let left = builder.stream("left", consumed: .with(key: .string, value: .string))
        let right = builder.stream("right", consumed: .with(key: .string, value: .string))
        left.merge(right).to("merged", produced: .with(key: .string, value: .string))
        return try builder.build()
    }

    /// Records `range` of one side (`left-7`), keyed over 20 keys.
    static func records(_ side: String, _ range: Range<Int>) -> [(String, String)] {
        range.map { ("key-\($0 % 20)", "\(side)-\($0)") }
    }

    /// The timestamp of a chunk of records of one side: the sides' chunks interleave.
    static func timestamp(_ chunk: Int, _ side: String) -> Int64 {
        Int64(1_000 + 2 * chunk + (side == "left" ? 0 : 1))
    }

    /// Runs the merge until `left` and `right` are consumed and committed, then closes it.
    func runUntilConsumed(_ cluster: EmbeddedKafkaCluster, config: StreamsConfig) async throws {
        let streams = try KafkaStreams(topology: try Self.mergeTopology(), config: config, topicCreator: cluster.topicCreator)
        try streams.start()
        defer { streams.close() }
        try await waitUntil(timeout: .seconds(90), "application running") { streams.state == .running }
        try cluster.waitUntilConsumed(groupID: config.applicationID, topics: ["left", "right"])
        #expect(streams.close(timeout: .seconds(30)))
    }

    @Test func everyBufferedRecordIsProcessedOnceAndCommitted() async throws {
        let cluster = try EmbeddedKafkaCluster()
        for topic in ["left", "right", "merged"] { try cluster.createTopic(topic, partitions: 2) }
        let config = cluster.streamsConfig(applicationID: "merge-\(UUID().uuidString.prefix(8))")
        for chunk in 0..<8 {
            // Chunks of 50 with interleaved timestamps: left's even, right's odd.
            let range = chunk * 50..<(chunk + 1) * 50
            try cluster.produce("left", Self.records("left", range), key: .string, value: .string, timestamp: Self.timestamp(chunk, "left"))
            try cluster.produce("right", Self.records("right", range), key: .string, value: .string, timestamp: Self.timestamp(chunk, "right"))
        }
        try await runUntilConsumed(cluster, config: config)

        // A restart resumes after the committed offsets: only the new records are processed.
        try cluster.produce("left", Self.records("left", 400..<450), key: .string, value: .string, timestamp: 10_000)
        try cluster.produce("right", Self.records("right", 400..<450), key: .string, value: .string, timestamp: 10_001)
        try await runUntilConsumed(cluster, config: config)

        // Everything the group committed was written first (at-least-once commits flush), so the
        // output is complete; reading one more than expected shows nothing was processed twice.
        let merged = try cluster.readRecords("merged", key: .string, value: .string, count: 901, timeout: .seconds(3))
        let expected = Self.records("left", 0..<450) + Self.records("right", 0..<450)
        #expect(merged.count == 900, "each of the 900 records once, got \(merged.count)")
        #expect(Set(merged.map(\.value)) == Set(expected.map(\.1)))
        var lastIndex: [String: Int] = [:]
        for record in merged {
            let side = record.value.hasPrefix("left") ? "left" : "right"
            let index = Int(record.value.dropFirst(side.count + 1))!
            #expect(record.key == "key-\(index % 20)", "\(record.value) kept its key")
            if index < 400 {
                #expect(record.timestamp == Self.timestamp(index / 50, side), "\(record.value) kept its timestamp")
            }
            // Records of one input partition and key reach one output partition in offset order.
            let stream = "\(side)/\(record.key)"
            #expect(index > lastIndex[stream, default: -1], "\(record.value) after \(side)-\(lastIndex[stream, default: -1])")
            lastIndex[stream] = index
        }
    }
}
