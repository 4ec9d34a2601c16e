import KafkaStreams
import KafkaStreamsTesting
import Synchronization
import Testing

/// A source keeps the key and value of the record it processes in slots of its own: a user
/// serde's value lives there for its record only, whatever happens to the record.
@Suite(.serialized) struct SourceNodeSlotTests {
    /// Counts its live instances, to see what a source keeps.
    final class Tracked: Sendable {
        static let live = Atomic<Int>(0)
        let text: String

        init(_ text: String) {
            self.text = text
            Self.live.add(1, ordering: .relaxed)
        }

        deinit { Self.live.subtract(1, ordering: .relaxed) }
    }

    /// UTF-8 text as a `Tracked`; "bad" cannot be read.
    static let tracked = Serde<Tracked>(
        name: "tracked",
        serialize: { value, buffer in buffer.append(contentsOf: value.text.utf8) },
        deserialize: { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            guard text != "bad" else { throw SerdeError(kind: .invalidData, serde: "tracked", message: "bad") }
            return Tracked(text)
        })

    /// `in` (tracked key and value) -> the value's text -> `out`.
    func driver(_ configure: (inout StreamsConfig) -> Void = { _ in }) throws -> TopologyTestDriver {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: Self.tracked, value: Self.tracked))
            .map { key, value in (key.text, value.text.uppercased()) }
            .to("out", produced: .with(key: .string, value: .string))
        var config = TopologyTestDriver.defaultConfig
        configure(&config)
        return try TopologyTestDriver(topology: builder.build(), config: config)
    }

    @Test func aUserSerdesValuesDoNotOutliveTheirRecord() throws {
        let before = Tracked.live.load(ordering: .relaxed)
        let driver = try driver { $0.defaultDeserializationExceptionHandler = .logAndContinue }
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .string, value: .string)
        try input.pipeInput(key: "a", value: "one", timestamp: 0)
        // The key is read, then the value fails: the key must be let go too.
        try input.pipeInput(key: "b", value: "bad", timestamp: 1)
        try input.pipeInput(key: "bad", value: "two", timestamp: 2)
        try input.pipeInput(key: "c", value: "three", timestamp: 3)
        #expect(output.readKeyValuesToList() == [KeyValue("a", "ONE"), KeyValue("c", "THREE")])
        #expect(driver.droppedRecordsCount == 2)
        #expect(Tracked.live.load(ordering: .relaxed) == before, "a source kept a key or value of a user serde")
    }

    @Test func aFailingRecordLetsItsValuesGo() throws {
        let before = Tracked.live.load(ordering: .relaxed)
        let driver = try driver()
        let input = driver.createInputTopic("in", key: .string, value: .string)
        #expect(throws: StreamsError.self) { try input.pipeInput(key: "k", value: "bad", timestamp: 0) }
        #expect(Tracked.live.load(ordering: .relaxed) == before)
    }
}
