@testable import KafkaStreams
import Testing

/// The serdes' per-record fast paths (concrete optional closures, arrays reused by sources) give
/// the same bytes and values as the plain paths.
@Suite struct SerdeFastPathTests {
    /// An `Int64` serde that is not the built-in one: decimal text.
    static let decimal = Serde<Int64>(
        name: "decimal",
        serialize: { value, buffer in buffer.append(contentsOf: String(value).utf8) },
        deserialize: { bytes in
            guard let value = Int64(String(decoding: bytes, as: UTF8.self)) else {
                throw SerdeError(kind: .invalidData, serde: "decimal", message: "not a number")
            }
            return value
        })

    @Test func optionalOfAUserSerdeOfABuiltInTypeUsesTheUserSerde() throws {
        let serde = Serde<Int64?>.optional(Self.decimal)
        #expect(try serde.serialize(42) == Array("42".utf8))
        #expect(try serde.serialize(nil) == nil)
        #expect(try serde.deserialize(Array("-7".utf8)) == -7)
        #expect(try serde.deserialize(nil as [UInt8]?) == nil)
        #expect(serde.name == "optional(decimal)")
    }

    @Test func optionalOfAUserSerdeOfStringsOrBytesUsesTheUserSerde() throws {
        let shouting = Serde<String>(
            name: "shouting",
            serialize: { value, buffer in buffer.append(contentsOf: value.uppercased().utf8) },
            deserialize: { bytes in String(decoding: bytes, as: UTF8.self).lowercased() })
        let strings = Serde<String?>.optional(shouting)
        #expect(try strings.serialize("hey") == Array("HEY".utf8))
        #expect(try strings.deserialize(Array("HO".utf8)) == "ho")
        #expect(try strings.serialize(nil) == nil)
        let reversed = Serde<[UInt8]>(
            name: "reversed", serialize: { value, buffer in buffer.append(contentsOf: value.reversed()) },
            deserialize: { bytes in bytes.reversed() })
        let bytes = Serde<[UInt8]?>.optional(reversed)
        #expect(try bytes.serialize([1, 2]) == [2, 1])
        #expect(try ([3, 4] as [UInt8]).withUnsafeBytes { try bytes.makeSourceDeserializer()($0) } == [4, 3])
    }

    @Test func optionalsOfTheBuiltInStringAndBytesSerdes() throws {
        let strings = Serde<String?>.optional(.string)
        #expect(strings.name == "optional(string)")
        #expect(try strings.deserialize(try strings.serialize("héllo")) == "héllo")
        #expect(try strings.serialize("") == [], "empty is not null")
        #expect(try strings.deserialize(nil as [UInt8]?) == nil)
        let bytes = Serde<[UInt8]?>.optional(.bytes)
        #expect(bytes.name == "optional(bytes)")
        #expect(try bytes.serialize([0, 255]) == [0, 255])
        #expect(try bytes.serialize([]) == [])
        #expect(try bytes.serialize(nil) == nil)
        #expect(try bytes.deserialize([9] as [UInt8]?) == [9])
    }

    struct Point: Codable, Equatable { var x: Int }

    @Test func optionalOfOtherTypesKeepsNullAndValuesApart() throws {
        let serde = Serde<Point?>.optional(.json(Point.self))
        #expect(try serde.deserialize(try serde.serialize(Point(x: 3))) == Point(x: 3))
        #expect(try serde.serialize(nil) == nil)
        #expect(try serde.deserialize(nil as [UInt8]?) == nil)
    }

    @Test func aSourcesBytesAreNewWhenTheLastOnesWereKept() throws {
        let deserialize = Serde<[UInt8]>.bytes.makeSourceDeserializer()
        let first = try ([1, 2, 3] as [UInt8]).withUnsafeBytes { try deserialize($0) }
        let second = try ([4, 5] as [UInt8]).withUnsafeBytes { try deserialize($0) }
        #expect(first == [1, 2, 3], "a value kept downstream never changes")
        #expect(second == [4, 5])
    }

    @Test func aSourcesBytesReuseTheirStorageWhenNothingKeptThem() throws {
        let deserialize = Serde<[UInt8]>.bytes.makeSourceDeserializer()
        func address(of bytes: [UInt8]) throws -> UnsafeRawPointer? {
            try bytes.withUnsafeBytes { raw in try deserialize(raw).withUnsafeBytes { $0.baseAddress } }
        }
        let first = try address(of: [1, 2, 3, 4])
        let second = try address(of: [5, 6])
        #expect(first != nil && first == second)
        let large = [UInt8](repeating: 9, count: ReusedBytes.largestReused + 1)
        let copied = try large.withUnsafeBytes { try deserialize($0) }
        #expect(copied == large)
    }

    @Test func optionalBytesSourcesReadNullAsNil() throws {
        let deserialize = Serde<[UInt8]?>.optional(.bytes).makeSourceDeserializer()
        #expect(try deserialize(nil) == nil)
        #expect(try ([7] as [UInt8]).withUnsafeBytes { try deserialize($0) } == [7])
        let plain = Serde<[UInt8]>.bytes.makeSourceDeserializer()
        #expect(throws: SerdeError.self) { try plain(nil) }
    }
}
