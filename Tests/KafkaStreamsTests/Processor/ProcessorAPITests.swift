import KafkaStreams
import KafkaStreamsTesting
import Testing

/// The Processor API: `Topology.addSource/addProcessor/addSink/addStateStore`, `Processor`,
/// `ProcessorContext` (forwarding, metadata, stores, punctuation).
@Suite struct ProcessorAPITests {
    private static func countsStore(_ name: String = "Counts") -> StoreBuilder<String, Int64> {
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), key: .string, value: .int64)
    }

    @Test func sourceProcessorStoreAndSink() throws {
        let topology = Topology()
        try topology.addSource("Source", topics: ["words"], key: .string, value: .string)
        try topology.addProcessor("Count", CountingProcessor.self, parents: ["Source"])
        try topology.addStateStore(Self.countsStore(), processors: ["Count"])
        try topology.addSink("Sink", topic: "counts", key: .string, value: .int64, parents: ["Count"])
        let driver = try TopologyTestDriver(topology: topology)
        let input = driver.createInputTopic("words", key: .string, value: .string)
        let output = driver.createOutputTopic("counts", key: .string, value: .int64)
        try input.pipeInput(key: "a", value: "", timestamp: 0)
        try input.pipeInput(key: "b", value: "", timestamp: 0)
        try input.pipeInput(key: "a", value: "", timestamp: 0)
        #expect(output.readKeyValuesToList() == [kv("a", 1), kv("b", 1), kv("a", 2)])
        let store = try driver.keyValueStore("Counts", key: .string, value: .int64)
        #expect(try store.all() == [kv("a", 2), kv("b", 1)])
        // The store is logged: its changelog has the plain values.
        let changelog = driver.createOutputTopic(driver.internalTopicName("Counts-changelog"), key: .string, value: .int64)
        #expect(changelog.readKeyValuesToList() == [kv("a", 1), kv("b", 1), kv("a", 2)])
    }

    @Test func persistentStoreWithLoggingDisabled() throws {
        let topology = Topology()
        try topology.addSource("Source", topics: ["words"], key: .string, value: .string)
        try topology.addProcessor("Count", CountingProcessor.self, parents: ["Source"])
        try topology.addStateStore(
            Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("Counts"), key: .string, value: .int64)
                .withLoggingDisabled(),
            processors: ["Count"])
        let driver = try TopologyTestDriver(topology: topology)
        let input = driver.createInputTopic("words", key: .string, value: .string)
        try input.pipeInput(key: "a", value: "", timestamp: 0)
        try input.pipeInput(key: "a", value: "", timestamp: 0)
        #expect(try driver.keyValueStore("Counts", key: .string, value: .int64).get("a") == 2)
        #expect(driver.createOutputTopic(driver.internalTopicName("Counts-changelog"), key: .string, value: .int64).isEmpty)
    }

    @Test func storeConnectedAfterTheFact() throws {
        let topology = Topology()
        try topology.addSource("Source", topics: ["words"], key: .string, value: .string)
        try topology.addProcessor("Count", CountingProcessor.self, parents: ["Source"])
        try topology.addStateStore(Self.countsStore())
        try topology.connectProcessorAndStateStores("Count", stores: ["Counts"])
        let driver = try TopologyTestDriver(topology: topology)
        try driver.createInputTopic("words", key: .string, value: .string).pipeInput(key: "a", value: "", timestamp: 0)
        #expect(try driver.keyValueStore("Counts", key: .string, value: .int64).get("a") == 1)
    }

    @Test func processorAPIInTheDSLWithAStore() throws {
        let builder = StreamsBuilder()
        builder.addStateStore(Self.countsStore())
        builder.stream("words", consumed: .with(key: .string, value: .string))
            .process(CountingProcessor.self, named: "count", stores: ["Counts"])
            .filter { _, count in count > 1 }
            .to("repeats", produced: .with(key: .string, value: .int64))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("words", key: .string, value: .string)
        let output = driver.createOutputTopic("repeats", key: .string, value: .int64)
        for word in ["a", "b", "a", "a"] { try input.pipeInput(key: word, value: "", timestamp: 0) }
        #expect(output.readKeyValuesToList() == [kv("a", 2), kv("a", 3)])
    }

    @Test func forwardToANamedChild() throws {
        struct Router: Processor {
            let context: ProcessorContext<String, Int64>
            init(context: ProcessorContext<String, Int64>) { self.context = context }
            func process(_ record: Record<String, Int64>) throws {
                try context.forward(record, to: record.value % 2 == 0 ? "even-sink" : "odd-sink")
                if record.value == 0 { try context.forward(record) }  // to every child
            }
        }
        let topology = Topology()
        try topology.addSource("numbers", topics: ["numbers"], key: .string, value: .int64)
        try topology.addProcessor("router", Router.self, parents: ["numbers"])
        try topology.addSink("even-sink", topic: "even", key: .string, value: .int64, parents: ["router"])
        try topology.addSink("odd-sink", topic: "odd", key: .string, value: .int64, parents: ["router"])
        let driver = try TopologyTestDriver(topology: topology)
        let input = driver.createInputTopic("numbers", key: .string, value: .int64)
        let even = driver.createOutputTopic("even", key: .string, value: .int64)
        let odd = driver.createOutputTopic("odd", key: .string, value: .int64)
        for value: Int64 in [1, 2, 3, 4, 0] { try input.pipeInput(key: "k", value: value, timestamp: 0) }
        #expect(even.readValuesToList() == [2, 4, 0, 0])
        #expect(odd.readValuesToList() == [1, 3, 0])
    }

    @Test func forwardToAnUnknownChildFailsNamingTheProcessor() throws {
        struct Misrouter: Processor {
            let context: ProcessorContext<String, String>
            init(context: ProcessorContext<String, String>) { self.context = context }
            func process(_ record: Record<String, String>) throws { try context.forward(record, to: "nowhere") }
        }
        let topology = Topology()
        try topology.addSource("src", topics: ["in"], key: .string, value: .string)
        try topology.addProcessor("misrouter", Misrouter.self, parents: ["src"])
        try topology.addSink("sink", topic: "out", key: .string, value: .string, parents: ["misrouter"])
        let driver = try TopologyTestDriver(topology: topology)
        let input = driver.createInputTopic("in", key: .string, value: .string)
        #expect {
            try input.pipeInput(key: "k", value: "v", timestamp: 0)
        } throws: { error in
            guard case .processing(let node, _, let message) = error as? StreamsError else { return false }
            return node == "misrouter" && message.contains("nowhere")
        }
    }

    @Test func contextExposesRecordMetadataAndTime() throws {
        struct Inspect: Processor {
            let context: ProcessorContext<String, String>
            init(context: ProcessorContext<String, String>) { self.context = context }
            func process(_ record: Record<String, String>) throws {
                let metadata = try #require(context.recordMetadata)
                let text = [
                    context.applicationID, "\(context.taskID)", metadata.topic, "\(metadata.partition)",
                    "\(metadata.offset)", "\(record.timestamp)", "\(context.currentStreamTime)",
                    "\(context.currentSystemTime)", record.headers.last("h").flatMap { $0.value.map { String(decoding: $0, as: UTF8.self) } } ?? "-",
                ].joined(separator: " ")
                try context.forward(record.withValue(text))
            }
        }
        let topology = Topology()
        try topology.addSource("src", topics: ["in"], key: .string, value: .string)
        try topology.addProcessor("inspect", Inspect.self, parents: ["src"])
        try topology.addSink("sink", topic: "out", key: .string, value: .string, parents: ["inspect"])
        var config = TopologyTestDriver.defaultConfig
        config.applicationID = "inspector"
        let driver = try TopologyTestDriver(topology: topology, config: config, initialWallClockTime: 5_000)
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .string, value: .string)
        var headers = RecordHeaders()
        headers.add("h", Array("one".utf8))
        try input.pipeInput(key: "k", value: "v", timestamp: 100, headers: headers)
        try input.pipeInput(key: "k", value: "v", timestamp: 50)
        try driver.advanceWallClockTime(by: .seconds(1))
        try input.pipeInput(key: "k", value: "v", timestamp: 200)
        #expect(
            output.readValuesToList() == [
                "inspector 0_0 in 0 0 100 100 5000 one",
                // An earlier timestamp does not move stream time back.
                "inspector 0_0 in 0 1 50 100 5000 -",
                "inspector 0_0 in 0 2 200 200 6000 -",
            ])
    }

    @Test func stateStoreWithTheWrongTypesIsAnError() throws {
        struct WrongTypes: Processor {
            init(context: ProcessorContext<String, String>) throws {
                let _: KeyValueStore<String, String> = try context.stateStore(named: "Counts")
            }
            func process(_ record: Record<String, String>) throws {}
        }
        let topology = Topology()
        try topology.addSource("src", topics: ["in"], key: .string, value: .string)
        try topology.addProcessor("wrong", WrongTypes.self, parents: ["src"])
        try topology.addStateStore(Self.countsStore(), processors: ["wrong"])
        #expect {
            let driver = try TopologyTestDriver(topology: topology)
            try driver.createInputTopic("in", key: .string, value: .string).pipeInput(key: "k", value: "v", timestamp: 0)
        } throws: { error in
            guard case .unknownStore(let name, _) = error as? StreamsError else { return false }
            return name == "Counts"
        }
    }

    @Test func storeNotConnectedToTheProcessorIsNotVisibleToIt() throws {
        struct Snoop: Processor {
            let context: ProcessorContext<String, String>
            init(context: ProcessorContext<String, String>) { self.context = context }
            func process(_ record: Record<String, String>) throws {
                let _: KeyValueStore<String, Int64> = try context.stateStore(named: "Counts")
            }
        }
        let topology = Topology()
        try topology.addSource("src", topics: ["in"], key: .string, value: .string)
        try topology.addProcessor("Count", CountingProcessor.self, parents: ["src"])
        try topology.addProcessor("snoop", Snoop.self, parents: ["src"])
        try topology.addStateStore(Self.countsStore(), processors: ["Count"])
        let driver = try TopologyTestDriver(topology: topology)
        let input = driver.createInputTopic("in", key: .string, value: .string)
        #expect(throws: StreamsError.self) { try input.pipeInput(key: "k", value: "v", timestamp: 0) }
    }

    @Test func closeIsCalledWhenTheDriverCloses() throws {
        let events = Collected<String>()
        struct Lifecycle: Processor {
            let events: Collected<String>
            init(context: ProcessorContext<String, String>) { fatalError("made with init(events:)") }
            init(events: Collected<String>) {
                self.events = events
                events.append("init")
            }
            func process(_ record: Record<String, String>) throws { events.append("process \(record.value)") }
            func close() throws { events.append("close") }
        }
        let topology = Topology()
        try topology.addSource("src", topics: ["in"], key: .string, value: .string)
        try topology.addProcessor("p", parents: ["src"]) { _ in Lifecycle(events: events) }
        let driver = try TopologyTestDriver(topology: topology)
        try driver.createInputTopic("in", key: .string, value: .string).pipeInput(key: "k", value: "v", timestamp: 0)
        try driver.close()
        #expect(events.values == ["init", "process v", "close"])
        // Closing twice is harmless.
        try driver.close()
        #expect(events.values.count == 3)
    }
}

/// Punctuation on stream time and on wall-clock time, and cancelling it.
@Suite struct PunctuationTests {
    /// Schedules one punctuation at init; each firing forwards `("tick", time)`; records pass through.
    struct Ticker: Processor {
        let context: ProcessorContext<String, Int64>
        let cancellable: Cancellable
        init(context: ProcessorContext<String, Int64>) { fatalError("made with init(context:interval:type:)") }
        init(context: ProcessorContext<String, Int64>, interval: Duration, type: PunctuationType) throws {
            self.context = context
            self.cancellable = try context.schedule(interval: interval, type: type) { time in
                try context.forward(Record(key: "tick", value: time, timestamp: time))
            }
        }
        func process(_ record: Record<String, Int64>) throws {
            if record.key == "cancel" { cancellable.cancel() }
            try context.forward(record)
        }
    }

    private func driver(
        interval: Duration, type: PunctuationType, wallClock: Int64 = 0
    ) throws -> (TopologyTestDriver, TestInputTopic<String, Int64>, TestOutputTopic<String, Int64>) {
        let topology = Topology()
        try topology.addSource("src", topics: ["in"], key: .string, value: .int64)
        try topology.addProcessor("ticker", parents: ["src"]) { context in
            try Ticker(context: context, interval: interval, type: type)
        }
        try topology.addSink("sink", topic: "out", key: .string, value: .int64, parents: ["ticker"])
        let driver = try TopologyTestDriver(topology: topology, initialWallClockTime: wallClock)
        return (
            driver, driver.createInputTopic("in", key: .string, value: .int64),
            driver.createOutputTopic("out", key: .string, value: .int64)
        )
    }

    /// The times at which "tick" was forwarded, dropping the piped records.
    private func ticks(_ output: TestOutputTopic<String, Int64>) -> [Int64] {
        output.readKeyValuesToList().filter { $0.key == "tick" }.map(\.value)
    }

    @Test func streamTimePunctuationFollowsRecordTimestamps() throws {
        let (_, input, output) = try driver(interval: .milliseconds(10), type: .streamTime)
        // Stream time is unknown before the first record: nothing fires.
        #expect(output.isEmpty)
        try input.pipeInput(key: "r", value: 0, timestamp: 3)
        #expect(ticks(output) == [3])  // aligned to 0, so due at once
        try input.pipeInput(key: "r", value: 0, timestamp: 7)
        #expect(ticks(output) == [])
        try input.pipeInput(key: "r", value: 0, timestamp: 12)
        #expect(ticks(output) == [12])
        // A jump over several intervals fires once, then realigns: next due at 50.
        try input.pipeInput(key: "r", value: 0, timestamp: 45)
        #expect(ticks(output) == [45])
        try input.pipeInput(key: "r", value: 0, timestamp: 49)
        #expect(ticks(output) == [])
        try input.pipeInput(key: "r", value: 0, timestamp: 50)
        #expect(ticks(output) == [50])
        // A late record does not move stream time.
        try input.pipeInput(key: "r", value: 0, timestamp: 5)
        try input.pipeInput(key: "r", value: 0, timestamp: 59)
        #expect(ticks(output) == [])
    }

    @Test func streamTimePunctuationIgnoresTheWallClock() throws {
        let (driver, input, output) = try driver(interval: .milliseconds(10), type: .streamTime)
        try input.pipeInput(key: "r", value: 0, timestamp: 1)
        _ = ticks(output)
        try driver.advanceWallClockTime(by: .seconds(60))
        #expect(ticks(output) == [])
    }

    @Test func wallClockPunctuationFollowsTheDriversClock() throws {
        let (driver, input, output) = try driver(interval: .seconds(1), type: .wallClockTime, wallClock: 1_000)
        try input.pipeInput(key: "r", value: 0, timestamp: 0)
        #expect(ticks(output) == [])
        try driver.advanceWallClockTime(by: .milliseconds(500))
        #expect(ticks(output) == [])
        try driver.advanceWallClockTime(by: .milliseconds(500))
        #expect(ticks(output) == [2_000])  // first due one interval after scheduling
        try driver.advanceWallClockTime(by: .milliseconds(999))
        #expect(ticks(output) == [])
        try driver.advanceWallClockTime(by: .milliseconds(1))
        #expect(ticks(output) == [3_000])
        // A jump fires once and realigns to the schedule: next due at 6000.
        try driver.advanceWallClockTime(by: .milliseconds(2_500))  // 5500
        #expect(ticks(output) == [5_500])
        try driver.advanceWallClockTime(by: .milliseconds(400))  // 5900
        #expect(ticks(output) == [])
        try driver.advanceWallClockTime(by: .milliseconds(100))  // 6000
        #expect(ticks(output) == [6_000])
        #expect(driver.wallClockTime == 6_000)
    }

    @Test func wallClockPunctuationIgnoresRecordTimestamps() throws {
        let (_, input, output) = try driver(interval: .seconds(1), type: .wallClockTime)
        try input.pipeInput(key: "r", value: 0, timestamp: 10_000)
        try input.pipeInput(key: "r", value: 0, timestamp: 20_000)
        #expect(ticks(output) == [])
    }

    @Test func wallClockPunctuationFiresBeforeAnyRecord() throws {
        let (driver, _, output) = try driver(interval: .seconds(1), type: .wallClockTime)
        try driver.advanceWallClockTime(by: .seconds(1))
        #expect(ticks(output) == [1_000])
    }

    @Test func cancelledPunctuationStopsFiring() throws {
        let (driver, input, output) = try driver(interval: .seconds(1), type: .wallClockTime)
        try input.pipeInput(key: "r", value: 0, timestamp: 0)
        try driver.advanceWallClockTime(by: .seconds(1))
        #expect(ticks(output) == [1_000])
        try input.pipeInput(key: "cancel", value: 0, timestamp: 0)
        try driver.advanceWallClockTime(by: .seconds(1))
        try driver.advanceWallClockTime(by: .seconds(1))
        #expect(ticks(output) == [])
    }

    @Test func punctuatorCanScheduleAnotherPunctuation() throws {
        // The first stream-time punctuation (at the first record) schedules a second one of its
        // own; both then fire at the next due times.
        struct Scheduler: Processor {
            init(context: ProcessorContext<String, Int64>) throws {
                final class Scheduled { var done = false }
                let scheduled = Scheduled()
                _ = try context.schedule(interval: .milliseconds(10), type: .streamTime) { time in
                    try context.forward(Record(key: "first", value: time, timestamp: time))
                    guard !scheduled.done else { return }
                    scheduled.done = true
                    _ = try context.schedule(interval: .milliseconds(10), type: .streamTime) { time in
                        try context.forward(Record(key: "second", value: time, timestamp: time))
                    }
                }
            }
            func process(_ record: Record<String, Int64>) throws {}
        }
        let topology = Topology()
        try topology.addSource("src", topics: ["in"], key: .string, value: .int64)
        try topology.addProcessor("scheduler", Scheduler.self, parents: ["src"])
        try topology.addSink("sink", topic: "out", key: .string, value: .int64, parents: ["scheduler"])
        let driver = try TopologyTestDriver(topology: topology)
        let input = driver.createInputTopic("in", key: .string, value: .int64)
        let output = driver.createOutputTopic("out", key: .string, value: .int64)
        for timestamp: Int64 in [0, 10] { try input.pipeInput(key: "r", value: 0, timestamp: timestamp) }
        let fired = output.readKeyValuesToList().map { "\($0.key) \($0.value)" }
        #expect(fired == ["first 0", "first 10", "second 10"], "the second is due from its scheduling on, after the first")
    }

    @Test func punctuatorCanCancelItself() throws {
        final class Box { var value: Cancellable? }
        struct Once: Processor {
            init(context: ProcessorContext<String, Int64>) throws {
                let cancellable = Box()
                cancellable.value = try context.schedule(interval: .milliseconds(10), type: .streamTime) { time in
                    try context.forward(Record(key: "once", value: time, timestamp: time))
                    cancellable.value?.cancel()
                }
            }
            func process(_ record: Record<String, Int64>) throws {}
        }
        let topology = Topology()
        try topology.addSource("src", topics: ["in"], key: .string, value: .int64)
        try topology.addProcessor("once", Once.self, parents: ["src"])
        try topology.addSink("sink", topic: "out", key: .string, value: .int64, parents: ["once"])
        let driver = try TopologyTestDriver(topology: topology)
        let input = driver.createInputTopic("in", key: .string, value: .int64)
        let output = driver.createOutputTopic("out", key: .string, value: .int64)
        for timestamp: Int64 in [0, 10, 20, 30] { try input.pipeInput(key: "r", value: 0, timestamp: timestamp) }
        #expect(output.readValuesToList() == [0])
    }

    @Test func punctuationHasNoRecordMetadataAndSeesStores() throws {
        struct Flusher: Processor {
            let context: ProcessorContext<String, Int64>
            let store: KeyValueStore<String, Int64>
            init(context: ProcessorContext<String, Int64>) throws {
                self.context = context
                let store: KeyValueStore<String, Int64> = try context.stateStore(named: "Counts")
                self.store = store
                try context.schedule(interval: .seconds(10), type: .wallClockTime) { time in
                    // Emit every count, then clear: a periodic flush.
                    let metadataValue: Int64 = context.recordMetadata == nil ? 0 : -1
                    for entry in try store.all() {
                        try context.forward(Record(key: entry.key, value: entry.value + metadataValue, timestamp: time))
                        try store.delete(entry.key)
                    }
                }
            }
            func process(_ record: Record<String, String>) throws {
                try store.put(record.key, (try store.get(record.key) ?? 0) + 1)
            }
        }
        let topology = Topology()
        try topology.addSource("src", topics: ["in"], key: .string, value: .string)
        try topology.addProcessor("flusher", Flusher.self, parents: ["src"])
        try topology.addStateStore(
            Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("Counts"), key: .string, value: .int64),
            processors: ["flusher"])
        try topology.addSink("sink", topic: "out", key: .string, value: .int64, parents: ["flusher"])
        let driver = try TopologyTestDriver(topology: topology)
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .string, value: .int64)
        for key in ["b", "a", "b"] { try input.pipeInput(key: key, value: "", timestamp: 0) }
        #expect(output.isEmpty)
        try driver.advanceWallClockTime(by: .seconds(10))
        #expect(output.readTriples() == [Triple(key: "a", value: 1, timestamp: 10_000), Triple(key: "b", value: 2, timestamp: 10_000)])
        #expect(try driver.keyValueStore("Counts", key: .string, value: .int64).all().isEmpty)
    }

    @Test func streamTimeIsKeptPerTask() throws {
        let topology = Topology()
        try topology.addSource("src", topics: ["in"], key: .string, value: .int64)
        try topology.addProcessor("ticker", parents: ["src"]) { context in
            try Ticker(context: context, interval: .milliseconds(10), type: .streamTime)
        }
        try topology.addSink("sink", topic: "out", key: .string, value: .int64, parents: ["ticker"])
        let driver = try TopologyTestDriver(topology: topology, partitions: ["in": 2])
        let input = driver.createInputTopic("in", key: .string, value: .int64)
        let output = driver.createOutputTopic("out", key: .string, value: .int64)
        try input.pipeInput(key: "r", value: 0, timestamp: 100, partition: 0)
        #expect(ticks(output) == [100])
        // Partition 1's task has its own stream time: its first record fires at once.
        try input.pipeInput(key: "r", value: 0, timestamp: 5, partition: 1)
        #expect(ticks(output) == [5])
        try input.pipeInput(key: "r", value: 0, timestamp: 15, partition: 1)
        #expect(ticks(output) == [15])
        // Task 0 is next due at 110, whatever task 1 saw.
        try input.pipeInput(key: "r", value: 0, timestamp: 105, partition: 0)
        #expect(ticks(output) == [])
        try input.pipeInput(key: "r", value: 0, timestamp: 110, partition: 0)
        #expect(ticks(output) == [110])
    }

    @Test func intervalBelowOneMillisecondIsRejected() throws {
        struct TooFast: Processor {
            init(context: ProcessorContext<String, String>) throws {
                try context.schedule(interval: .microseconds(10), type: .streamTime) { _ in }
            }
            func process(_ record: Record<String, String>) throws {}
        }
        let topology = Topology()
        try topology.addSource("src", topics: ["in"], key: .string, value: .string)
        try topology.addProcessor("fast", TooFast.self, parents: ["src"])
        // Tasks, and so processors, are initialized when the driver is created.
        #expect(throws: StreamsError.self) { try TopologyTestDriver(topology: topology) }
    }
}
