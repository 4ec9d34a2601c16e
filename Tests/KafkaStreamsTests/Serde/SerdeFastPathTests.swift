@testable import KafkaStreams
import Testing

/// The serdes' per-record fast paths (concrete optional closures, the built-in serdes that nodes
/// run themselves, arrays reused by sources) give the same bytes, values and errors as the plain paths.
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
        #expect(try bytes.deserialize([3, 4] as [UInt8]?) == [4, 3])
        #expect(bytes.builtIn == nil, "a user serde's optional is not run as the built-in one")
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

    /// A slot of a built-in serde, as ``SourceNode`` keeps one for its key and its value.
    final class Slot<Value> {
        let builtIn: BuiltInSerde
        let memory: UnsafeMutableRawPointer

        init(_ builtIn: BuiltInSerde) {
            self.builtIn = builtIn
            memory = builtIn.allocateSlot()
        }

        deinit { builtIn.deallocateSlot(memory) }

        var value: Value { memory.assumingMemoryBound(to: Value.self).pointee }
    }

    /// A source's deserializer of a built-in serde, as ``SourceNode`` runs it: read into its
    /// slot, then the slot's value.
    static func sourceDeserializer<Value>(_ serde: Serde<Value>) throws -> (UnsafeRawBufferPointer?) throws -> Value {
        let builtIn = try #require(serde.builtIn, "\(serde.name) is run by the nodes themselves")
        let slot = Slot<Value>(builtIn)
        return { bytes in
            try builtIn.read(bytes, into: slot.memory)
            return slot.value
        }
    }

    /// `serde`'s bytes for `value` as ``SinkNode`` takes them.
    static func sinkBytes<Value>(_ serde: Serde<Value>, _ value: Value) throws -> [UInt8]? {
        let builtIn = try #require(serde.builtIn)
        var scratch: [UInt8] = []
        return builtIn.withSerializedBytes(of: value, scratch: &scratch) { $0.map { Array($0) } }
    }

    @Test func nodesWriteTheBytesOfTheBuiltInSerdes() throws {
        #expect(try Self.sinkBytes(.bytes, [1, 2, 255]) == [1, 2, 255])
        #expect(try Self.sinkBytes(.bytes, []) == [], "empty is not null")
        #expect(try Self.sinkBytes(.optional(.bytes), [7]) == [7])
        #expect(try Self.sinkBytes(.optional(.bytes), nil) == nil)
        let text = "héllo, a string longer than fifteen bytes"
        for string in ["", "short", text, String(text.dropFirst(3))] {
            #expect(try Self.sinkBytes(.string, string) == Serde<String>.string.serialize(string))
            #expect(try Self.sinkBytes(.optional(.string), string) == Array(string.utf8))
        }
        #expect(try Self.sinkBytes(.optional(.string), nil) == nil)
        for number in [0, 1, -1, Int64.max, Int64.min, 0x0102_0304_0506_0708] as [Int64] {
            #expect(try Self.sinkBytes(.int64, number) == Serde<Int64>.int64.serialize(number))
        }
    }

    @Test func arraysBytesAreReadWithoutAClosure() throws {
        func direct<Value>(_ serde: Serde<Value>, _ value: Value) throws -> [UInt8]?? {
            try #require(serde.builtIn).directBytes(of: value).map { $0.map { Array($0) } }
        }
        #if canImport(ObjectiveC)
        #expect(try direct(.bytes, [1, 2]) == nil, "Apple platforms read arrays inside withUnsafeBytes")
        #else
        #expect(try direct(.bytes, [1, 2, 255]) == .some([1, 2, 255]))
        #expect(try direct(.bytes, []) == .some([]), "empty is not null")
        #expect(try direct(.optional(.bytes), [7]) == .some([7]))
        #expect(try direct(.optional(.bytes), nil) == .some(nil), "null")
        #endif
        #expect(try direct(.string, "text") == nil, "strings go through withSerializedBytes")
        #expect(try direct(.optional(.string), "text") == nil)
        #expect(try direct(.int64, 42) == nil)
    }

    @Test func nodesReadTheValuesOfTheBuiltInSerdes() throws {
        let strings = try Self.sourceDeserializer(.string)
        #expect(try Array("héllo".utf8).withUnsafeBytes { try strings($0) } == "héllo")
        let invalid: [UInt8] = [0xFF, 0x41]
        #expect(try invalid.withUnsafeBytes { try strings($0) } == Serde<String>.string.deserialize(invalid), "invalid UTF-8 repaired alike")
        let optionalStrings = try Self.sourceDeserializer(Serde<String?>.optional(.string))
        #expect(try optionalStrings(nil) == nil)
        #expect(try Array("x".utf8).withUnsafeBytes { try optionalStrings($0) } == "x")
        let numbers = try Self.sourceDeserializer(.int64)
        let bytes = try #require(try Serde<Int64>.int64.serialize(-42))
        #expect(try bytes.withUnsafeBytes { try numbers($0) } == -42)
    }

    @Test func nodesThrowTheBuiltInSerdesErrors() throws {
        func kind<Value>(_ serde: Serde<Value>, _ bytes: [UInt8]?) -> SerdeError.Kind? {
            do {
                let deserialize = try Self.sourceDeserializer(serde)
                _ = try bytes.map { bytes in try bytes.withUnsafeBytes { try deserialize($0) } } ?? deserialize(nil)
                return nil
            } catch let error as SerdeError {
                #expect(error.serde == serde.name)
                return error.kind
            } catch {
                Issue.record("unexpected \(error)")
                return nil
            }
        }
        #expect(kind(.bytes, nil) == .unexpectedNull)
        #expect(kind(.string, nil) == .unexpectedNull)
        #expect(kind(.int64, nil) == .unexpectedNull)
        #expect(kind(.int64, [1, 2, 3]) == .wrongSize(expected: 8, actual: 3))
        #expect(kind(.optional(.bytes), nil) == nil)
    }

    @Test func aSourcesBytesAreNewWhenTheLastOnesWereKept() throws {
        let deserialize = try Self.sourceDeserializer(.bytes)
        let first = try ([1, 2, 3] as [UInt8]).withUnsafeBytes { try deserialize($0) }
        let second = try ([4, 5] as [UInt8]).withUnsafeBytes { try deserialize($0) }
        #expect(first == [1, 2, 3], "a value kept downstream never changes")
        #expect(second == [4, 5])
    }

    @Test func aSourcesBytesReuseTheirStorageWhenNothingKeptThem() throws {
        let deserialize = try Self.sourceDeserializer(.bytes)
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

    @Test func aSlotKeepsItsValueWhenARecordCannotBeRead() throws {
        let slot = Slot<Int64>(.int64)
        try Serde<Int64>.int64.serialize(7)!.withUnsafeBytes { try slot.builtIn.read($0, into: slot.memory) }
        #expect(throws: SerdeError.self) { try ([1, 2, 3] as [UInt8]).withUnsafeBytes { try slot.builtIn.read($0, into: slot.memory) } }
        #expect(throws: SerdeError.self) { try slot.builtIn.read(nil, into: slot.memory) }
        #expect(slot.value == 7)
    }

    @Test func aSlotDoesNotKeepTheStorageOfALargeValue() throws {
        let slot = Slot<[UInt8]>(.bytes)
        let large = [UInt8](repeating: 1, count: ReusedBytes.largestReused * 4)
        try large.withUnsafeBytes { try slot.builtIn.read($0, into: slot.memory) }
        #expect(slot.value == large)
        try ([2, 3] as [UInt8]).withUnsafeBytes { try slot.builtIn.read($0, into: slot.memory) }
        #expect(slot.value == [2, 3])
        #expect(slot.value.capacity <= ReusedBytes.largestReused, "the large value's storage was let go")
    }

    @Test func anOptionalBytesSlotGoesFromNullToBytesAndBack() throws {
        let slot = Slot<[UInt8]?>(.optionalBytes)
        #expect(slot.value == nil, "a slot starts empty")
        try ([5] as [UInt8]).withUnsafeBytes { try slot.builtIn.read($0, into: slot.memory) }
        let kept = slot.value
        try slot.builtIn.read(nil, into: slot.memory)
        #expect(slot.value == nil)
        try ([6, 7] as [UInt8]).withUnsafeBytes { try slot.builtIn.read($0, into: slot.memory) }
        #expect(slot.value == [6, 7])
        #expect(kept == [5], "a value kept downstream never changes")
        let address = slot.value?.withUnsafeBytes { $0.baseAddress }
        try ([8, 9] as [UInt8]).withUnsafeBytes { try slot.builtIn.read($0, into: slot.memory) }
        #expect(slot.value == [8, 9])
        #expect(address != nil && slot.value?.withUnsafeBytes { $0.baseAddress } == address, "overwritten in place")
    }

    @Test func optionalBytesSourcesReadNullAsNil() throws {
        let deserialize = try Self.sourceDeserializer(Serde<[UInt8]?>.optional(.bytes))
        #expect(try deserialize(nil) == nil)
        #expect(try ([7] as [UInt8]).withUnsafeBytes { try deserialize($0) } == [7])
        let plain = try Self.sourceDeserializer(.bytes)
        #expect(throws: SerdeError.self) { try plain(nil) }
    }
}
