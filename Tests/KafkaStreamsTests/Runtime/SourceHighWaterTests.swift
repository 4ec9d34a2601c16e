import Testing

@testable import KafkaStreams

@Suite struct SourceHighWaterTests {
    static func source(_ partition: Int32, _ offset: Int64, _ sequence: UInt32, topic: String? = "lines") -> [UInt8] {
        SourceHighWater.encode(topic: topic, partition: partition, offset: offset, sequence: sequence)
    }

    static func accept(_ marks: inout SourceHighWater, _ source: [UInt8]) -> Bool {
        marks.accept(source)
    }

    @Test func encodedSourcesDecode() throws {
        let (upstream, position) = try #require(SourceHighWater.decode(Self.source(3, 1_234_567_890_123, 7, topic: "a.b-c")))
        #expect(upstream == SourceHighWater.Upstream(topic: "a.b-c", partition: 3))
        #expect(position == SourceHighWater.Position(offset: 1_234_567_890_123, sequence: 7))
        #expect(SourceHighWater.decode([1, 2, 3]) == nil)
        // Without a topic (the writing task reads one topic): named by the partition.
        let (implied, _) = try #require(SourceHighWater.decode(Self.source(2, 5, 0, topic: nil)))
        #expect(implied == SourceHighWater.Upstream(topic: "", partition: 2))
    }

    @Test func encodedSourcesHaveTheDocumentedLayout() {
        #expect(Self.source(1, 2, 3, topic: "ab") == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 3, 97, 98])
        #expect(Self.source(1, 2, 3, topic: nil).count == 16)
    }

    @Test func theHeaderNameIsRecognizedInPlace() {
        #expect(SourceHighWater.header == "__streams.source")
        for (name, matches) in [
            ("__streams.source", true), ("__streams.sourc", false), ("__streams.source2", false), ("", false),
            ("__streams.origin", false), ("__STREAMS.SOURCE", false),
        ] {
            #expect(name.withCString { SourceHighWater.isHeader(named: $0) } == matches, "\(name)")
        }
    }

    @Test func copiesOfAcceptedSourcesAreSkippedPerUpstreamPartition() {
        var marks = SourceHighWater()
        // An aborted transaction's records arrive first...
        #expect(Self.accept(&marks, Self.source(0, 10, 0)))
        #expect(Self.accept(&marks, Self.source(0, 10, 1)))
        #expect(Self.accept(&marks, Self.source(0, 11, 0)))
        #expect(Self.accept(&marks, Self.source(1, 5, 0)))  // another upstream partition
        // ...then the reprocessed copies, and what is new after them.
        #expect(!Self.accept(&marks, Self.source(0, 10, 0)))
        #expect(!Self.accept(&marks, Self.source(0, 10, 1)))
        #expect(!Self.accept(&marks, Self.source(0, 11, 0)))
        #expect(Self.accept(&marks, Self.source(0, 11, 1)))
        #expect(Self.accept(&marks, Self.source(0, 12, 0)))
        #expect(!Self.accept(&marks, Self.source(1, 5, 0)))
        #expect(Self.accept(&marks, Self.source(1, 5, 0, topic: "other")))  // another upstream topic
        #expect(marks.duplicatesSkipped == 4)
        // Headers that are not sources never drop a record.
        #expect(Self.accept(&marks, [0, 1]))
    }

    @Test func marksSurviveSerialization() throws {
        var marks = SourceHighWater()
        _ = marks.accept(Self.source(0, 10, 2))
        _ = marks.accept(Self.source(7, 99, 0, topic: "other-topic"))
        var restored = try #require(SourceHighWater(serialized: marks.serialized))
        #expect(restored.marks == marks.marks)
        #expect(!Self.accept(&restored, Self.source(0, 10, 2)))
        #expect(Self.accept(&restored, Self.source(0, 10, 3)))
        #expect(SourceHighWater(serialized: [0, 5, 1]) == nil)
        #expect(SourceHighWater(serialized: [])?.marks.isEmpty == true)
    }
}
