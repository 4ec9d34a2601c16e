import KafkaStreams
import KafkaStreamsTesting
import Testing

/// `emitStrategy(.onWindowClose)` (KIP-825) on time windows: one result per window, when stream
/// time passes its end plus grace.
@Suite struct EmitStrategyTests {
    @Test(arguments: [Materialized<String, Int64>.StoreType.inMemory, .persistent])
    func tumblingWindowsEmitOnceWhenTheyClose(storeType: Materialized<String, Int64>.StoreType) throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeAndGrace(.seconds(10), .seconds(5)))
            .emitStrategy(.onWindowClose)
            .count(materialized: .as("counts", storeType: storeType))
            .toStream()
            .to("out")
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .timeWindowed(.string, size: .seconds(10)), value: .optional(.int64))
        try input.pipeInput(key: "a", value: "v", timestamp: 1_000)
        try input.pipeInput(key: "b", value: "v", timestamp: 2_000)
        try input.pipeInput(key: "a", value: "v", timestamp: 12_000)
        try input.pipeInput(key: "a", value: "v", timestamp: 9_000)  // out of order, within grace
        #expect(output.isEmpty)
        try input.pipeInput(key: "c", value: "v", timestamp: 15_000)  // closes [0, 10 s)
        let closed: [WindowedResult<Int64>] = output.readWindowed()
        #expect(closed == [WindowedResult("a", 0, 10_000, 2, at: 9_000), WindowedResult("b", 0, 10_000, 1, at: 2_000)])
        try input.pipeInput(key: "c", value: "v", timestamp: 16_000)  // closes nothing new
        #expect(output.isEmpty)
        try input.pipeInput(key: "c", value: "v", timestamp: 100_000)  // a jump: closes [10 s, 20 s)
        let later: [WindowedResult<Int64>] = output.readWindowed()
        #expect(later == [WindowedResult("a", 10_000, 20_000, 1, at: 12_000), WindowedResult("c", 10_000, 20_000, 2, at: 16_000)])
        try input.pipeInput(key: "a", value: "v", timestamp: 1_000)  // too late: dropped, nothing emitted
        #expect(output.isEmpty)
        #expect(driver.droppedLateRecordsCount == 1)
    }

    @Test func withoutGraceTheWindowClosesAtItsEnd() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeWithNoGrace(.seconds(10)))
            .emitStrategy(.onWindowClose)
            .count()
            .toStream()
            .to("out")
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .timeWindowed(.string, size: .seconds(10)), value: .optional(.int64))
        try input.pipeInput(key: "a", value: "v", timestamp: 9_999)
        #expect(output.isEmpty)
        try input.pipeInput(key: "a", value: "v", timestamp: 10_000)
        let results: [WindowedResult<Int64>] = output.readWindowed()
        #expect(results == [WindowedResult("a", 0, 10_000, 1, at: 9_999)])
    }

    @Test func hoppingWindowsEmitEachWindowOnce() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeWithNoGrace(.seconds(10)).advanceBy(.seconds(5)))
            .emitStrategy(.onWindowClose)
            .count()
            .toStream()
            .to("out")
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .timeWindowed(.string, size: .seconds(10)), value: .optional(.int64))
        for timestamp: Int64 in [1_000, 7_000, 12_000, 16_000, 21_000, 40_000] {
            try input.pipeInput(key: "k", value: "v", timestamp: timestamp)
        }
        let results: [WindowedResult<Int64>] = output.readWindowed()
        #expect(
            results == [
                WindowedResult("k", 0, 10_000, 2, at: 7_000),
                WindowedResult("k", 5_000, 15_000, 2, at: 12_000),
                WindowedResult("k", 10_000, 20_000, 2, at: 16_000),
                WindowedResult("k", 15_000, 25_000, 2, at: 21_000),
                WindowedResult("k", 20_000, 30_000, 1, at: 21_000),
            ])
    }

    @Test func cachedStoreStillEmitsOnlyOnClose() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeWithNoGrace(.seconds(10)))
            .emitStrategy(.onWindowClose)
            .count(materialized: Materialized.as("counts").withCachingEnabled())
            .toStream()
            .to("out")
        var config = TopologyTestDriver.defaultConfig
        config.cacheMaxBytes = 1 << 20
        let driver = try TopologyTestDriver(topology: builder.build(), config: config)
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .timeWindowed(.string, size: .seconds(10)), value: .optional(.int64))
        try input.pipeInput(key: "a", value: "v", timestamp: 1_000)
        try input.pipeInput(key: "a", value: "v", timestamp: 2_000)
        #expect(output.isEmpty)
        try input.pipeInput(key: "a", value: "v", timestamp: 10_000)
        let results: [WindowedResult<Int64>] = output.readWindowed()
        #expect(results == [WindowedResult("a", 0, 10_000, 2, at: 2_000)])
    }
}
