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
        return try runApplication(
            { try BenchTopologies.stateless(input: $0, output: output) }, row: name, applicationID: applicationID,
            context: context, output: output, expected: input.recordCount, watched: [], latencyOutputs: .perRecord
        ) {
            try context.watcher.checkConsumedAll(groupID: applicationID, topic: input.topic, partitions: input.partitions, expected: input.recordCount)
            try context.watcher.checkNothingDeleted(topics: [input.topic, output], partitions: input.partitions)
            try context.checkRecordCount(topic: output, expected: input.recordCount)
        }
    }

    /// Rows `wordcount-memory`, `wordcount-rocksdb` and `wordcount-eos`: the DSL word count; limit:
    /// `raw-wordcount` (`wordcount-rocksdb` for `wordcount-eos`).
    ///
    /// With `exactlyOnce`, the application runs under `.exactlyOnceV2` with a 100 ms commit
    /// interval (its consumers read `read_committed`), with the same checks, except that on the
    /// embedded broker committed offsets cannot be checked: librdkafka 2.0.2's mock does not store
    /// offsets sent in a transaction (../shared/BROKERS.md). Every word must still be counted exactly.
    static func wordCount(
        _ context: BenchContext, name: String, storeType: Materialized<String, Int64>.StoreType, exactlyOnce: Bool = false
    ) throws -> RowRun {
        let input = context.input
        let output = context.topic(name, "output")
        try context.broker.createTopic(output, partitions: input.partitions)
        let applicationID = context.groupID(name)
        let repartition = "\(applicationID)-\(BenchTopologies.countStore)-repartition"
        let changelog = "\(applicationID)-\(BenchTopologies.countStore)-changelog"
        let offsetsCheckable = !(exactlyOnce && context.broker.isEmbedded)
        return try runApplication(
            { try BenchTopologies.wordCount(input: $0, output: output, storeType: storeType) }, row: name,
            applicationID: applicationID, context: context, output: output, expected: input.wordCount,
            watched: [repartition, changelog], latencyOutputs: .perWord,
            // The mock does not store offsets committed in transactions: an exactly-once application
            // restarted there would read its repartition topic again from the start. Its latency
            // phase therefore runs as a new application (empty state, its own internal topics).
            latencyApplicationID: offsetsCheckable ? nil : "\(applicationID)-latency",
            configure: { config in
                if exactlyOnce {
                    config.processingGuarantee = .exactlyOnceV2
                    config.commitInterval = .milliseconds(100)
                }
            }
        ) {
            if offsetsCheckable {
                try context.watcher.checkConsumedAll(groupID: applicationID, topic: input.topic, partitions: input.partitions, expected: input.recordCount)
                try context.watcher.checkConsumedAll(groupID: applicationID, topic: repartition, partitions: input.partitions, expected: input.wordCount)
            }
            try context.watcher.checkNothingDeleted(
                topics: [input.topic, repartition, changelog, output], partitions: input.partitions)
            try context.checkWordCounts(topic: output)
        }
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
        return try runApplication(
            { try BenchTopologies.windowedCount(input: $0, output: output) }, row: name, applicationID: applicationID,
            context: context, output: output, expected: input.recordCount, watched: [changelog], latencyOutputs: .perRecord,
            configure: { $0.cacheMaxBytes = 0 }
        ) {
            try context.watcher.checkConsumedAll(groupID: applicationID, topic: input.topic, partitions: input.partitions, expected: input.recordCount)
            try context.watcher.checkNothingDeleted(topics: [input.topic, changelog, output], partitions: input.partitions)
            try context.checkWindowedCounts(topic: output)
        }
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
        return try runApplication(
            { try BenchTopologies.streamTableJoin(input: $0, table: table, output: output) }, row: name,
            applicationID: applicationID, context: context, output: output, expected: input.recordCount,
            watched: [table, changelog], latencyOutputs: .perRecord
        ) {
            try context.watcher.checkConsumedAll(groupID: applicationID, topic: input.topic, partitions: input.partitions, expected: input.recordCount)
            try context.watcher.checkConsumedAll(groupID: applicationID, topic: table, partitions: input.partitions, expected: InputData.keyCount)
            try context.watcher.checkNothingDeleted(topics: [input.topic, table, changelog, output], partitions: input.partitions)
            try context.checkJoinResults(topic: output, tableValue: tableValue)
        }
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

    /// Starts the application, waits for its outputs (the timed part), closes it (which commits),
    /// runs `checks`, then the latency phase (``LatencyProbe``): the same application (same id,
    /// configuration and state) started again on the row's latency input; finally removes its state.
    private static func runApplication(
        _ topology: (_ input: String) throws -> Topology, row: String, applicationID: String, context: BenchContext,
        output: String, expected: Int, watched: [String], latencyOutputs: LatencyProbe.Outputs,
        latencyApplicationID: String? = nil, configure: (inout StreamsConfig) -> Void = { _ in }, checks: () throws -> Void
    ) throws -> RowRun {
        var config = context.settings.streamsConfig(applicationID: applicationID, stateDir: context.stateDir)
        configure(&config)
        var latencyConfig = config
        if let latencyApplicationID { latencyConfig.applicationID = latencyApplicationID }
        var run = try runInstance(try topology(context.input.topic), config: config, context: context) { streams, failure in
            try context.waitForOutputs(topic: output, expected: expected, watched: watched, failure: failure)
        }
        do {
            try checks()
            if context.latency.records > 0 && context.latency.rate > 0 {
                let latencyInput = context.topic(row, "latency-input")
                try context.broker.createTopic(latencyInput, partitions: context.input.partitions)
                run.latency = try runInstance(try topology(latencyInput), config: latencyConfig, context: context) { streams, failure in
                    try context.waitUntil("\(latencyConfig.applicationID) was running for the latency phase", failure: failure) {
                        streams.state == .running
                    }
                    return try LatencyProbe.measure(
                        context, topic: latencyInput, output: output, outputs: latencyOutputs, failure: failure)
                }
            }
        } catch {
            try? cleanUp(config: config, topology: topology(context.input.topic), context: context)
            try? cleanUp(config: latencyConfig, topology: topology(context.input.topic), context: context)
            throw error
        }
        try cleanUp(config: config, topology: topology(context.input.topic), context: context)
        try cleanUp(config: latencyConfig, topology: topology(context.input.topic), context: context)
        return run
    }

    /// Starts an instance, runs `body` while it runs, closes it; the state stays.
    private static func runInstance<Result>(
        _ topology: Topology, config: StreamsConfig, context: BenchContext,
        _ body: (KafkaStreams, () -> (any Error)?) throws -> Result
    ) throws -> Result {
        let streams = try KafkaStreams(
            topology: topology, config: config, topicCreator: context.broker.topicCreator,
            logger: Logger(label: "streams-bench.\(config.applicationID)"))
        try streams.start()
        let failure: () -> (any Error)? = {
            streams.state == .error || streams.state == .pendingError
                ? streams.lastError ?? BenchError("the application stopped in state \(streams.state)") : nil
        }
        let result: Result
        do {
            result = try body(streams, failure)
        } catch {
            streams.close(timeout: .seconds(30))
            throw error
        }
        guard streams.close(timeout: .seconds(60)) else {
            throw BenchError("\(config.applicationID) did not close within 60 s")
        }
        if let error = streams.lastError { throw BenchError("\(config.applicationID) failed: \(error)") }
        return result
    }

    /// Removes the application's local state (an instance that is not started can do it).
    private static func cleanUp(config: StreamsConfig, topology: Topology, context: BenchContext) throws {
        let streams = try KafkaStreams(
            topology: topology, config: config, topicCreator: context.broker.topicCreator,
            logger: Logger(label: "streams-bench.\(config.applicationID)"))
        try streams.cleanUp()
    }
}
