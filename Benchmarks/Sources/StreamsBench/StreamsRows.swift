import Foundation
import KafkaStreams
import Logging
import RdKafka

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

    /// Row `windowed-count`: the DSL count per key per 1-minute tumbling window on RocksDB, record
    /// cache off (`cacheMaxBytes = 0` too); limit: `raw-windowed-count`.
    static func windowedCount(_ context: BenchContext) throws -> RowRun {
        let name = "windowed-count"
        let input = context.input
        let output = context.topic(name, "output")
        try context.broker.createTopic(output, partitions: input.partitions)
        let applicationID = context.groupID(name)
        let changelog = "\(applicationID)-\(BenchTopologies.windowedStore)-changelog"
        let run = try runApplication(
            BenchTopologies.windowedCount(input: input.topic, output: output), applicationID: applicationID,
            context: context, output: output, expected: input.recordCount, watched: [changelog]
        ) { $0.cacheMaxBytes = 0 }
        try context.watcher.checkNothingDeleted(topics: [input.topic, changelog, output], partitions: input.partitions)
        try context.watcher.checkConsumedAll(
            groupID: applicationID, topic: input.topic, partitions: input.partitions, expected: input.recordCount)
        try context.checkWindowedCounts(topic: output)
        return run
    }

    /// The value of the join table's row for `key`.
    static func tableValue(_ key: String) -> String { "row-\(key)" }

    /// Row `stream-table-join`: the input joined with a table of one row per key (co-partitioned,
    /// RocksDB store); limit: `raw-passthrough`.
    ///
    /// The runtime processes a task's partitions in timestamp order only within a poll batch, so a
    /// stream record fetched before its partition's table rows would find no row and be dropped.
    /// The table is therefore loaded first by a topology of the table alone under the same
    /// application id (untimed, like the rest of the start-up); the join then starts with the table
    /// in its store, as an application that has been running does.
    static func streamTableJoin(_ context: BenchContext) throws -> RowRun {
        let name = "stream-table-join"
        let input = context.input
        let table = context.topic(name, "table")
        let output = context.topic(name, "output")
        try context.broker.createTopic(table, partitions: input.partitions)
        try context.broker.createTopic(output, partitions: input.partitions)
        // One row per key, timestamped before every input record.
        let producer = try KafkaProducer(configuration: context.settings.producer(clientID: "\(name)-table-loader"))
        for index in 0..<InputData.keyCount {
            var key = InputData.key(of: index)
            var value = tableValue(key)
            try key.withUTF8 { key in
                try value.withUTF8 { value in
                    try InputData.produce(
                        producer, topic: table, key: UnsafeRawBufferPointer(key), value: UnsafeRawBufferPointer(value),
                        timestamp: input.timestampBase - 1)
                }
            }
        }
        try producer.flush(timeout: .seconds(60))
        let applicationID = context.groupID(name)
        let changelog = "\(applicationID)-\(BenchTopologies.joinTableStore)-changelog"
        try loadTable(BenchTopologies.joinTable(table: table), applicationID: applicationID, table: table, context: context)
        let run = try runApplication(
            BenchTopologies.streamTableJoin(input: input.topic, table: table, output: output),
            applicationID: applicationID, context: context, output: output, expected: input.recordCount,
            watched: [table, changelog])
        try context.watcher.checkNothingDeleted(topics: [input.topic, table, changelog, output], partitions: input.partitions)
        try context.watcher.checkConsumedAll(
            groupID: applicationID, topic: input.topic, partitions: input.partitions, expected: input.recordCount)
        try context.watcher.checkConsumedAll(
            groupID: applicationID, topic: table, partitions: input.partitions, expected: InputData.keyCount)
        try context.checkJoinResults(topic: output, tableValue: tableValue)
        return run
    }

    /// Runs the table-only topology until its group has committed the whole table topic, then
    /// closes it, keeping its state for the join.
    private static func loadTable(_ topology: Topology, applicationID: String, table: String, context: BenchContext) throws {
        let config = context.settings.streamsConfig(applicationID: applicationID, stateDir: context.stateDir)
        let streams = try KafkaStreams(
            topology: topology, config: config, topicCreator: context.broker.topicCreator,
            logger: Logger(label: "streams-bench.\(applicationID)-table"))
        try streams.start()
        let deadline = ContinuousClock.now + context.timeout
        var lastError: any Error = BenchError("no check ran")
        while true {
            if streams.state == .error || streams.state == .pendingError {
                streams.close(timeout: .seconds(30))
                throw BenchError("loading the join table failed: \(streams.lastError.map { "\($0)" } ?? "\(streams.state)")")
            }
            do {
                try context.watcher.checkConsumedAll(
                    groupID: applicationID, topic: table, partitions: context.input.partitions, expected: InputData.keyCount)
                break
            } catch {
                lastError = error
            }
            guard ContinuousClock.now < deadline else {
                streams.close(timeout: .seconds(30))
                throw BenchError("loading the join table timed out: \(lastError)")
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        guard streams.close(timeout: .seconds(60)) else { throw BenchError("\(applicationID) (table) did not close within 60 s") }
        if let error = streams.lastError { throw BenchError("\(applicationID) (table) failed: \(error)") }
    }

    /// Starts the application, waits for its outputs, closes it (which commits) and removes its state.
    private static func runApplication(
        _ topology: Topology, applicationID: String, context: BenchContext, output: String, expected: Int,
        watched: [String], configure: (inout StreamsConfig) -> Void = { _ in }
    ) throws -> RowRun {
        var config = context.settings.streamsConfig(applicationID: applicationID, stateDir: context.stateDir)
        configure(&config)
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
