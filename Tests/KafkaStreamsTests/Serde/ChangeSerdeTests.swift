import Testing

@testable import KafkaStreams

/// The internal format of table changes on repartition topics (new and old value).
@Suite struct ChangeSerdeTests {
    static let changes: [(String?, String?)] = [("new", "old"), ("new", nil), (nil, "old"), (nil, nil), ("", ""), ("", nil)]

    @Test(arguments: changes)
    func changeRoundTrips(newValue: String?, oldValue: String?) throws {
        let serde = Serde<Change<String>>.change(.string)
        let bytes = try #require(try serde.serialize(Change(newValue: newValue, oldValue: oldValue)))
        let back = try serde.deserialize(bytes)
        #expect(back.newValue == newValue)
        #expect(back.oldValue == oldValue)
    }

    @Test func layoutIsFlagsLengthNewOld() throws {
        let bytes = try Serde<Change<String>>.change(.string).serialize(Change(newValue: "ab", oldValue: "c"))
        #expect(bytes == [0b11, 0, 0, 0, 2, 0x61, 0x62, 0x63])
    }

    @Test func truncatedChangeIsASerdeError() throws {
        #expect(throws: SerdeError.self) { try Serde<Change<String>>.change(.string).deserialize([1, 0, 0]) }
        #expect(throws: SerdeError.self) { try Serde<Change<String>>.change(.string).deserialize([1, 0, 0, 0, 9, 1]) }
    }
}
