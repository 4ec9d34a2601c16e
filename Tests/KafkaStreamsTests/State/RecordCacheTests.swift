import KafkaStreams
import KafkaStreamsTesting
import Testing

@testable import KafkaStreams

@Suite struct RecordCacheTests {
    @Test func evictsLeastRecentlyUsedAndFlushesDirtyEntries() throws {
        let cache = ThreadCache(maxBytes: 3 * (64 + 1 + 1))
        var flushed: [[UInt8]] = []
        let namespace = cache.register { key, _ in flushed.append(key) }
        let context = ThreadCache.RecordContext(timestamp: 0, headers: [], metadata: nil)
        for key: UInt8 in 1...3 {
            try cache.put(namespace, [key], ThreadCache.Entry(value: [key], isDirty: true, context: context))
        }
        _ = cache.get(namespace, [1])  // 1 is now the most recently used
        try cache.put(namespace, [4], ThreadCache.Entry(value: [4], isDirty: true, context: context))
        #expect(flushed == [[2]])
        #expect(cache.get(namespace, [2]) == nil)
        try cache.flush(namespace)
        #expect(flushed == [[2], [3], [1], [4]])
        try cache.flush(namespace)
        #expect(flushed.count == 4, "clean entries are not flushed again")
    }

    /// With caching on, the driver commits after each input record, so the updates one record
    /// causes to one key reach downstream once, as in Kafka Streams' driver.
    @Test func coalescesUpdatesOfOneKeyIntoOneForward() throws {
        let builder = StreamsBuilder()
        builder.stream("lines", consumed: .with(key: .optional(.string), value: .string))
            .flatMapValues { line in line.split(separator: " ").map(String.init) }
            .groupBy(grouped: .with(key: .string, value: .string)) { _, word in word }
            .count(materialized: .as("counts", storeType: .inMemory))
            .toStream()
            .to("counts-out", produced: .with(key: .string, value: .int64))
        var config = TopologyTestDriver.defaultConfig
        config.cacheMaxBytes = 1024 * 1024
        let driver = try TopologyTestDriver(topology: builder.build(), config: config)
        let input = driver.createInputTopic("lines", key: .optional(.string), value: .string)
        let output = driver.createOutputTopic("counts-out", key: .string, value: .int64)
        try input.pipeInput(key: nil, value: "a a a a a b", timestamp: 1)
        #expect(output.readKeyValuesToList() == [KeyValue("a", 5), KeyValue("b", 1)])
        try input.pipeInput(key: nil, value: "a", timestamp: 2)
        #expect(output.readKeyValuesToList() == [KeyValue("a", 6)])
        // The changelog also gets one record per key per flush.
        let changelog = driver.createOutputTopic(driver.internalTopicName("counts-changelog"), key: .string, value: .int64)
        #expect(changelog.readKeyValuesToList() == [KeyValue("a", 5), KeyValue("b", 1), KeyValue("a", 6)])
    }

    @Test func withoutCachingEveryUpdateIsForwarded() throws {
        let builder = StreamsBuilder()
        builder.stream("lines", consumed: .with(key: .optional(.string), value: .string))
            .flatMapValues { line in line.split(separator: " ").map(String.init) }
            .groupBy(grouped: .with(key: .string, value: .string)) { _, word in word }
            .count(materialized: .as("counts", storeType: .inMemory))
            .toStream()
            .to("counts-out", produced: .with(key: .string, value: .int64))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("lines", key: .optional(.string), value: .string)
        let output = driver.createOutputTopic("counts-out", key: .string, value: .int64)
        try input.pipeInput(key: nil, value: "a a a", timestamp: 1)
        #expect(output.readValuesToList() == [1, 2, 3])
    }
}
