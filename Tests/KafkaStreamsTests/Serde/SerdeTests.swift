import Foundation
import KafkaStreams
import Testing

/// The built-in serdes: round trips, and byte layouts identical to Kafka's serializers.
@Suite struct SerdeTests {
    private func roundTrip<T: Equatable>(_ serde: Serde<T>, _ value: T) throws -> T {
        try serde.deserialize(try serde.serialize(value))
    }

    // MARK: string

    @Test(arguments: ["", "hello", "héllo wörld", "日本語", "emoji 🎉", "with\u{0}nul"])
    func stringRoundTripsAsUTF8(value: String) throws {
        #expect(try Serde<String>.string.serialize(value) == Array(value.utf8))
        #expect(try roundTrip(.string, value) == value)
    }

    @Test func emptyStringIsNotNull() throws {
        // Kafka distinguishes an empty value from a null one.
        #expect(try Serde<String>.string.serialize("") == [])
        #expect(try Serde<String>.string.deserialize([]) == "")
    }

    @Test func invalidUTF8IsRepaired() throws {
        #expect(try Serde<String>.string.deserialize([0x61, 0xFF, 0x62]) == "a\u{FFFD}b")
    }

    // MARK: integers and doubles

    @Test(arguments: [
        (Int32(0), [0x00, 0x00, 0x00, 0x00]), (1, [0x00, 0x00, 0x00, 0x01]), (256, [0x00, 0x00, 0x01, 0x00]),
        (-1, [0xFF, 0xFF, 0xFF, 0xFF]), (Int32.max, [0x7F, 0xFF, 0xFF, 0xFF]), (Int32.min, [0x80, 0x00, 0x00, 0x00]),
        (0x0102_0304, [0x01, 0x02, 0x03, 0x04]),
    ] as [(Int32, [UInt8])])
    func int32IsFourBytesBigEndian(value: Int32, bytes: [UInt8]) throws {
        #expect(try Serde<Int32>.int32.serialize(value) == bytes)
        #expect(try Serde<Int32>.int32.deserialize(bytes) == value)
    }

    @Test(arguments: [
        (Int64(0), [0, 0, 0, 0, 0, 0, 0, 0]), (1, [0, 0, 0, 0, 0, 0, 0, 1]), (-2, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE]),
        (Int64.max, [0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), (Int64.min, [0x80, 0, 0, 0, 0, 0, 0, 0]),
        (0x0102_0304_0506_0708, [1, 2, 3, 4, 5, 6, 7, 8]),
    ] as [(Int64, [UInt8])])
    func int64IsEightBytesBigEndian(value: Int64, bytes: [UInt8]) throws {
        #expect(try Serde<Int64>.int64.serialize(value) == bytes)
        #expect(try Serde<Int64>.int64.deserialize(bytes) == value)
    }

    @Test(arguments: [
        (1.0, [0x3F, 0xF0, 0, 0, 0, 0, 0, 0]), (-2.5, [0xC0, 0x04, 0, 0, 0, 0, 0, 0]), (0.0, [0, 0, 0, 0, 0, 0, 0, 0]),
        (-0.0, [0x80, 0, 0, 0, 0, 0, 0, 0]), (Double.infinity, [0x7F, 0xF0, 0, 0, 0, 0, 0, 0]),
        (Double.greatestFiniteMagnitude, [0x7F, 0xEF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
    ] as [(Double, [UInt8])])
    func doubleIsIEEE754BigEndian(value: Double, bytes: [UInt8]) throws {
        #expect(try Serde<Double>.double.serialize(value) == bytes)
        let back = try Serde<Double>.double.deserialize(bytes)
        #expect(back.bitPattern == value.bitPattern)
    }

    @Test func doubleNaNKeepsItsBits() throws {
        let nan = Double(nan: 0x1234, signaling: false)
        #expect(try roundTrip(.double, nan).bitPattern == nan.bitPattern)
    }

    @Test func fixedWidthSerdesRejectOtherSizes() throws {
        #expect(throws: SerdeError(kind: .wrongSize(expected: 4, actual: 3), serde: "int32", message: "expected 4 bytes, got 3")) {
            try Serde<Int32>.int32.deserialize([1, 2, 3])
        }
        #expect {
            try Serde<Int64>.int64.deserialize([UInt8](repeating: 0, count: 9))
        } throws: { error in
            (error as? SerdeError)?.kind == .wrongSize(expected: 8, actual: 9)
        }
        #expect {
            try Serde<Double>.double.deserialize([])
        } throws: { error in
            (error as? SerdeError)?.kind == .wrongSize(expected: 8, actual: 0)
        }
    }

    // MARK: bytes and UUID

    @Test(arguments: [[], [0], [0xFF, 0x00, 0x7F], Array(0...255)] as [[UInt8]])
    func bytesAreCopiedAsTheyAre(value: [UInt8]) throws {
        #expect(try Serde<[UInt8]>.bytes.serialize(value) == value)
        #expect(try roundTrip(.bytes, value) == value)
    }

    @Test func uuidIsItsLowercaseTextForm() throws {
        let uuid = try #require(UUID(uuidString: "6BA7B810-9DAD-11D1-80B4-00C04FD430C8"))
        let bytes = try #require(try Serde<UUID>.uuid.serialize(uuid))
        #expect(String(decoding: bytes, as: UTF8.self) == "6ba7b810-9dad-11d1-80b4-00c04fd430c8")
        #expect(bytes.count == 36)
        #expect(try Serde<UUID>.uuid.deserialize(bytes) == uuid)
        // Kafka's UUIDDeserializer accepts either case.
        #expect(try Serde<UUID>.uuid.deserialize(Array("6BA7B810-9DAD-11D1-80B4-00C04FD430C8".utf8)) == uuid)
    }

    @Test func invalidUUIDIsASerdeError() throws {
        #expect {
            try Serde<UUID>.uuid.deserialize(Array("not-a-uuid".utf8))
        } throws: { error in
            (error as? SerdeError).map { $0.kind == .invalidData && $0.serde == "uuid" } ?? false
        }
    }

    // MARK: JSON

    struct Order: Codable, Equatable, Sendable {
        var id: Int
        var items: [String]
        var note: String?
    }

    @Test func jsonRoundTripsCodableValues() throws {
        let order = Order(id: 7, items: ["pen", "ink"], note: nil)
        let serde = Serde<Order>.json(Order.self)
        #expect(try roundTrip(serde, order) == order)
        #expect(serde.name == "json(Order)")
    }

    @Test func jsonKeysAreSortedSoEqualValuesGiveEqualBytes() throws {
        let bytes = try #require(try Serde<Order>.json().serialize(Order(id: 1, items: [], note: "n")))
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"id":1,"items":[],"note":"n"}"#)
    }

    @Test func invalidJSONIsASerdeError() throws {
        #expect {
            try Serde<Order>.json(Order.self).deserialize(Array("{\"id\": \"seven\"}".utf8))
        } throws: { error in
            (error as? SerdeError).map { $0.kind == .invalidData && $0.serde == "json(Order)" } ?? false
        }
    }

    // MARK: null

    @Test func nullForANonOptionalTypeThrows() throws {
        let nullBytes: [UInt8]? = nil
        #expect(throws: SerdeError.self) { try Serde<String>.string.deserialize(nullBytes) }
        #expect(throws: SerdeError.self) { try Serde<Int32>.int32.deserialize(nullBytes) }
        #expect(throws: SerdeError.self) { try Serde<Int64>.int64.deserialize(nullBytes) }
        #expect(throws: SerdeError.self) { try Serde<Double>.double.deserialize(nullBytes) }
        #expect(throws: SerdeError.self) { try Serde<[UInt8]>.bytes.deserialize(nullBytes) }
        #expect(throws: SerdeError.self) { try Serde<UUID>.uuid.deserialize(nullBytes) }
        #expect(throws: SerdeError.self) { try Serde<Order>.json().deserialize(nullBytes) }
        #expect {
            try Serde<Int64>.int64.deserialize(nullBytes)
        } throws: { error in
            guard let error = error as? SerdeError else { return false }
            return error.kind == .unexpectedNull && error.serde == "int64" && error.description.contains(".optional")
        }
    }

    @Test func optionalMapsNullToNil() throws {
        let serde = Serde<Int64?>.optional(.int64)
        let nullBytes: [UInt8]? = nil
        #expect(try serde.serialize(nil) == nil)
        #expect(try serde.deserialize(nullBytes) == nil)
        #expect(try serde.serialize(5) == [0, 0, 0, 0, 0, 0, 0, 5])
        #expect(try serde.deserialize([0, 0, 0, 0, 0, 0, 0, 5]) == 5)
        #expect(serde.name == "optional(int64)")
    }

    @Test func optionalStringKeepsEmptyAndNullApart() throws {
        let serde = Serde<String?>.optional(.string)
        let nullBytes: [UInt8]? = nil
        #expect(try serde.serialize("") == [])
        #expect(try serde.serialize(nil) == nil)
        #expect(try serde.deserialize([]) == "")
        #expect(try serde.deserialize(nullBytes) == nil)
    }

    @Test func optionalStillRejectsBadBytes() throws {
        #expect(throws: SerdeError.self) { try Serde<Int32?>.optional(.int32).deserialize([1]) }
    }

    // MARK: buffers and custom serdes

    @Test func serializeIntoReusesAndClearsTheBuffer() throws {
        var buffer: [UInt8] = [9, 9, 9, 9, 9, 9, 9, 9, 9, 9]
        #expect(try Serde<Int32>.int32.serialize(1, into: &buffer))
        #expect(buffer == [0, 0, 0, 1])
        #expect(try Serde<String?>.optional(.string).serialize(nil, into: &buffer) == false)
    }

    @Test func deserializeFromABufferPointer() throws {
        let bytes: [UInt8] = [0, 0, 0, 42]
        let value = try bytes.withUnsafeBytes { try Serde<Int32>.int32.deserialize($0) }
        #expect(value == 42)
        let nullPointer: UnsafeRawBufferPointer? = nil
        #expect(try Serde<Int32?>.optional(.int32).deserialize(nullPointer) == nil)
    }

    @Test func customSerde() throws {
        // Booleans as one byte.
        let bool = Serde<Bool>(
            name: "bool", serialize: { value, buffer in buffer.append(value ? 1 : 0) },
            deserialize: { bytes in
                guard bytes.count == 1 else { throw SerdeError(kind: .invalidData, serde: "bool", message: "one byte") }
                return bytes[0] != 0
            })
        #expect(try bool.serialize(true) == [1])
        #expect(try bool.deserialize([0]) == false)
        #expect(throws: SerdeError.self) { try bool.deserialize([0, 1]) }
        // Non-nullable custom serdes reject null like the built-ins.
        let nullBytes: [UInt8]? = nil
        #expect(throws: SerdeError.self) { try bool.deserialize(nullBytes) }
        #expect(try Serde<Bool?>.optional(bool).deserialize(nullBytes) == nil)
    }

    @Test func customNullableSerde() throws {
        // An Int where null means 0, as some legacy topics do.
        let zeroIsNull = Serde<Int64>(
            name: "zero-is-null",
            serializeNullable: { value, buffer in
                guard value != 0 else { return false }
                try Serde<Int64>.int64.serialize(value).map { buffer.append(contentsOf: $0) }
                return true
            },
            deserializeNullable: { bytes in
                guard let bytes else { return 0 }
                return try Serde<Int64>.int64.deserialize(bytes)
            })
        let nullBytes: [UInt8]? = nil
        #expect(try zeroIsNull.serialize(0) == nil)
        #expect(try zeroIsNull.deserialize(nullBytes) == 0)
        #expect(try zeroIsNull.serialize(3) == [0, 0, 0, 0, 0, 0, 0, 3])
    }

    // MARK: default serdes

    @Test func defaultSerdesOfTheBuiltInTypes() {
        #expect(String.defaultSerde.name == "string")
        #expect(Int32.defaultSerde.name == "int32")
        #expect(Int64.defaultSerde.name == "int64")
        #expect(Double.defaultSerde.name == "double")
        #expect([UInt8].defaultSerde.name == "bytes")
        #expect(UUID.defaultSerde.name == "uuid")
        #expect(String?.defaultSerde.name == "optional(string)")
        #expect(PageView.defaultSerde.name == "json(PageView)")
    }
}
