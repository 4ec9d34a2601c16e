import Foundation
import KafkaStreams
import Logging

/// The rows run by the library: `KafkaStreams` with one stream thread on the same broker and input.
enum StreamsRows {
    /// Row `stateless`: mapValues + filter + to; limit: `raw-passthrough`.
    static func stateless(_ context: BenchContext) throws -> RowRun {
        let name = "stateless"
        let input = context.input
        let output = context.topic(name, "output")
        try context.broker.createTopic(output, partitions: input.partitions)
        let applicationID = context.groupID(name)
        let run = try runApplication(
            BenchTopologies.stateless(input: input.topic, output: output), applicationID: applicationID,
            context: context, output: output, expected: input.recordCount, watched: [])
        try context.watcher.checkNothingDeleted(topics: [input.topic, output], partitions: input.partitions)
        try context.watcher.checkConsumedAll(
            groupID: applicationID, topic: input.topic, partitions: input.partitions, expected: input.recordCount)
        try context.checkRecordCount(topic: output, expected: input.recordCount)
        return run
    }

    /// Rows `wordcount-memory` and `wordcount-rocksdb`: the DSL word count; limit: `raw-wordcount`.
    static func wordCount(_ context: BenchContext, storeType: Materialized<String, Int64>.StoreType) throws -> RowRun {
        let name = storeType == .inMemory ? "wordcount-memory" : "wordcount-rocksdb"
        let input = context.input
        let output = context.topic(name, "output")
        try context.broker.createTopic(output, partitions: input.partitions)
        let applicationID = context.groupID(name)
        let repartition = "\(applicationID)-\(BenchTopologies.countStore)-repartition"
        let changelog = "\(applicationID)-\(BenchTopologies.countStore)-changelog"
        let run = try runApplication(
            BenchTopologies.wordCount(input: input.topic, output: output, storeType: storeType),
            applicationID: applicationID, context: context, output: output, expected: input.wordCount,
            watched: [repartition, changelog])
        try context.watcher.checkNothingDeleted(
            topics: [input.topic, repartition, changelog, output], partitions: input.partitions)
        try context.watcher.checkConsumedAll(
            groupID: applicationID, topic: input.topic, partitions: input.partitions, expected: input.recordCount)
        try context.watcher.checkConsumedAll(
            groupID: applicationID, topic: repartition, partitions: input.partitions, expected: input.wordCount)
        try context.checkWordCounts(topic: output)
        return run
    }

    /// Starts the application, waits for its outputs, closes it (which commits) and removes its state.
    private static func runApplication(
        _ topology: Topology, applicationID: String, context: BenchContext, output: String, expected: Int,
        watched: [String]
    ) throws -> RowRun {
        let config = context.settings.streamsConfig(applicationID: applicationID, stateDir: context.stateDir)
        let streams = try KafkaStreams(
            topology: topology, config: config, topicCreator: context.broker.topicCreator,
            logger: Logger(label: "streams-bench.\(applicationID)"))
        try streams.start()
        let run: RowRun
        do {
            run = try context.waitForOutputs(topic: output, expected: expected, watched: watched) {
                streams.state == .error || streams.state == .pendingError
                    ? streams.lastError ?? BenchError("the application stopped in state \(streams.state)") : nil
            }
        } catch {
            streams.close(timeout: .seconds(30))
            try? streams.cleanUp()
            throw error
        }
        guard streams.close(timeout: .seconds(60)) else {
            throw BenchError("\(applicationID) did not close within 60 s")
        }
        if let error = streams.lastError { throw BenchError("\(applicationID) failed: \(error)") }
        try streams.cleanUp()
        return run
    }
}
