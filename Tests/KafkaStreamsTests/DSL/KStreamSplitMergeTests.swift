import KafkaStreams
import KafkaStreamsTesting
import Testing

/// `split` with `branch` / `defaultBranch` / `noDefaultBranch`, and `merge`.
@Suite struct KStreamSplitMergeTests {
    @Test func eachRecordGoesToTheFirstMatchingBranchOrTheDefault() throws {
        let builder = StreamsBuilder()
        let branches = builder.stream("numbers", consumed: .with(key: .string, value: .int64))
            .split(named: "split-")
            .branch(named: "small") { _, value in value < 10 }
            .branch { _, value in value < 100 }
            .defaultBranch()
        #expect(Set(branches.keys) == ["split-small", "split-2", "split-0"])
        try #require(branches["split-small"]).to("small", produced: .with(key: .string, value: .int64))
        try #require(branches["split-2"]).to("medium", produced: .with(key: .string, value: .int64))
        try #require(branches["split-0"]).to("large", produced: .with(key: .string, value: .int64))

        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("numbers", key: .string, value: .int64)
        let small = driver.createOutputTopic("small", key: .string, value: .int64)
        let medium = driver.createOutputTopic("medium", key: .string, value: .int64)
        let large = driver.createOutputTopic("large", key: .string, value: .int64)
        for value: Int64 in [1, 50, 500, 9, 99, 100] {
            try input.pipeInput(key: "k", value: value, timestamp: 0)
        }
        // 9 matches both predicates but only goes to the first.
        #expect(small.readValuesToList() == [1, 9])
        #expect(medium.readValuesToList() == [50, 99])
        #expect(large.readValuesToList() == [500, 100])
    }

    @Test func noDefaultBranchDropsUnmatchedRecords() throws {
        let builder = StreamsBuilder()
        let branches = builder.stream("in", consumed: .with(key: .string, value: .string))
            .split(named: "s-")
            .branch(named: "a") { _, value in value.hasPrefix("a") }
            .noDefaultBranch()
        #expect(Array(branches.keys) == ["s-a"])
        try #require(branches["s-a"]).to("a", produced: .with(key: .string, value: .string))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("a", key: .string, value: .string)
        try input.pipeInput(key: "1", value: "apple", timestamp: 0)
        try input.pipeInput(key: "2", value: "banana", timestamp: 0)
        #expect(output.readValuesToList() == ["apple"])
        // Records that match no branch are not errors.
        #expect(driver.droppedRecordsCount == 0)
    }

    @Test func defaultBranchCanBeNamed() throws {
        let builder = StreamsBuilder()
        let branches = builder.stream("in", consumed: .with(key: .string, value: .string))
            .split(named: "route-")
            .branch(named: "x") { key, _ in key == "x" }
            .defaultBranch(named: "rest")
        #expect(Set(branches.keys) == ["route-x", "route-rest"])
    }

    @Test func unnamedSplitNumbersBranchesAfterTheGeneratedName() throws {
        let builder = StreamsBuilder()
        let branches = builder.stream("in", consumed: .with(key: .string, value: .string))
            .split()
            .branch { _, _ in true }
            .branch { _, _ in true }
            .defaultBranch()
        // As Kafka: the split is KSTREAM-BRANCH-<index>, its branches that name plus their position.
        #expect(
            Set(branches.keys) == [
                "KSTREAM-BRANCH-00000000011", "KSTREAM-BRANCH-00000000012", "KSTREAM-BRANCH-00000000010",
            ])
    }

    @Test func branchesCanBeProcessedFurther() throws {
        let builder = StreamsBuilder()
        let branches = builder.stream("in", consumed: .with(key: .string, value: .int32))
            .split(named: "sign-")
            .branch(named: "negative") { _, value in value < 0 }
            .defaultBranch(named: "positive")
        try #require(branches["sign-negative"]).mapValues { -$0 }
            .merge(try #require(branches["sign-positive"]))
            .to("abs", produced: .with(key: .string, value: .int32))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .int32)
        let output = driver.createOutputTopic("abs", key: .string, value: .int32)
        for value: Int32 in [-3, 4, -5, 0] { try input.pipeInput(key: "k", value: value, timestamp: 0) }
        #expect(output.readValuesToList() == [3, 4, 5, 0])
    }

    @Test func mergeCombinesTwoTopicsInProcessingOrder() throws {
        let builder = StreamsBuilder()
        let clicks = builder.stream("clicks", consumed: .with(key: .string, value: .string))
        let views = builder.stream("views", consumed: .with(key: .string, value: .string))
        clicks.merge(views).to("events", produced: .with(key: .string, value: .string))
        let driver = try TopologyTestDriver(topology: builder.build())
        let clicksIn = driver.createInputTopic("clicks", key: .string, value: .string)
        let viewsIn = driver.createInputTopic("views", key: .string, value: .string)
        let output = driver.createOutputTopic("events", key: .string, value: .string)
        try clicksIn.pipeInput(key: "u1", value: "click-1", timestamp: 10)
        try viewsIn.pipeInput(key: "u1", value: "view-1", timestamp: 20)
        try clicksIn.pipeInput(key: "u2", value: "click-2", timestamp: 30)
        try viewsIn.pipeInput(key: "u2", value: "view-2", timestamp: 40)
        #expect(
            output.readTriples() == [
                Triple(key: "u1", value: "click-1", timestamp: 10), Triple(key: "u1", value: "view-1", timestamp: 20),
                Triple(key: "u2", value: "click-2", timestamp: 30), Triple(key: "u2", value: "view-2", timestamp: 40),
            ])
    }

    @Test func mergeOfTwoBranchesOfOneStreamDeliversEachRecordOnce() throws {
        let builder = StreamsBuilder()
        let source = builder.stream("in", consumed: .with(key: .string, value: .int32))
        let even = source.filter { _, value in value % 2 == 0 }.mapValues { "even \($0)" }
        let odd = source.filterNot { _, value in value % 2 == 0 }.mapValues { "odd \($0)" }
        even.merge(odd, named: "both").to("out", produced: .with(key: .string, value: .string))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .int32)
        let output = driver.createOutputTopic("out", key: .string, value: .string)
        for value: Int32 in 1...4 { try input.pipeInput(key: "k", value: value, timestamp: Int64(value)) }
        #expect(output.readValuesToList() == ["odd 1", "even 2", "odd 3", "even 4"])
    }

    @Test func mergedStreamKeepsRepartitionNeedOfEitherSide() throws {
        let builder = StreamsBuilder()
        let a = builder.stream("a", consumed: .with(key: .string, value: .string))
        let b = builder.stream("b", consumed: .with(key: .string, value: .string)).selectKey { _, value in value }
        a.merge(b)
            .groupByKey(grouped: .with(key: .string, value: .string))
            .count(materialized: .as("counts"))
        let topology = try builder.build()
        // b changed keys, so the merged stream is repartitioned before counting.
        #expect(topology.describe().subtopologies.count == 2)
        let driver = try TopologyTestDriver(topology: topology)
        let aIn = driver.createInputTopic("a", key: .string, value: .string)
        let bIn = driver.createInputTopic("b", key: .string, value: .string)
        try aIn.pipeInput(key: "x", value: "1", timestamp: 0)
        try bIn.pipeInput(key: "ignored", value: "x", timestamp: 0)
        #expect(try driver.keyValueStore("counts", key: .string, value: .int64).get("x") == 2)
    }
}
