// The records a foreign-key join (KIP-213) sends through its two internal topics, in Kafka
// Streams' wire formats, so that the topics stay readable by both.

/// What the subscribing (primary) side asks of the foreign side (Kafka's `SubscriptionWrapper.Instruction`).
enum SubscriptionInstruction: UInt8, Sendable {
    /// Forget the subscription; send nothing (the foreign key changed: the new key answers).
    case deleteKeyNoPropagate = 0
    /// Forget the subscription and answer with no foreign value (the primary row was deleted).
    case deleteKeyAndPropagate = 1
    /// Subscribe and answer with the foreign value, or with none if there is none.
    case propagateNullIfNoForeignValue = 2
    /// Subscribe and answer only if there is a foreign value (a new row of an inner join).
    case propagateOnlyIfForeignValue = 3
}

/// A subscription of a primary row to a foreign key, sent keyed by the foreign key to the
/// foreign side's partition (Kafka's `SubscriptionWrapper`, version 1).
struct SubscriptionWrapper<K> {
    static var currentVersion: UInt8 { 1 }

    /// Murmur3 of the primary row's serialized value when it was sent; `nil` for a deleted row.
    var hash: (UInt64, UInt64)?
    var instruction: SubscriptionInstruction
    var primaryKey: K
    /// The partition of the primary row, where the answer must go (version 1).
    var primaryPartition: Int32?
    var version: UInt8 = SubscriptionWrapper.currentVersion
}

/// The foreign side's answer to a subscription, sent keyed by the primary key (Kafka's
/// `SubscriptionResponseWrapper`, version 0).
struct SubscriptionResponseWrapper<VO> {
    /// The hash of the subscription this answers: the primary side drops answers to values it
    /// no longer has.
    var originalValueHash: (UInt64, UInt64)?
    /// The foreign row's value, `nil` when it has none.
    var foreignValue: VO?
    /// Where to send the answer; not on the wire (the sink's partitioner uses it).
    var primaryPartition: Int32?
}

/// A subscription store key: the foreign key and the primary key (Kafka's `CombinedKey`).
struct CombinedKey<KO, K> {
    var foreignKey: KO
    var primaryKey: K

    /// `[foreign key length: 4 bytes BE][foreign key][primary key]` (Kafka's `CombinedKeySchema`),
    /// so that a prefix scan by foreign key finds every subscriber.
    static func bytes(foreignKey: [UInt8], primaryKey: [UInt8]) -> [UInt8] {
        var bytes = prefix(foreignKey: foreignKey)
        bytes.append(contentsOf: primaryKey)
        return bytes
    }

    static func prefix(foreignKey: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4 + foreignKey.count)
        appendBigEndian(UInt32(foreignKey.count), to: &bytes)
        bytes.append(contentsOf: foreignKey)
        return bytes
    }

    /// The primary key bytes of a store key.
    static func primaryKeyBytes(_ bytes: [UInt8]) -> ArraySlice<UInt8>? {
        guard bytes.count >= 4 else { return nil }
        let length = Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
        guard 4 + length <= bytes.count else { return nil }
        return bytes[(4 + length)...]
    }
}

extension Serde {
    /// `{1 bit: hash is null}{7 bits: version}{instruction}{16-byte hash, if any}{primary key}{primary partition: 4 BE}`
    /// (version 1; version 0 has no partition).
    static func subscriptionWrapper<K>(primaryKey: Serde<K>) -> Serde<SubscriptionWrapper<K>>
    where Value == SubscriptionWrapper<K> {
        let name = "subscription(\(primaryKey.name))"
        return Serde<SubscriptionWrapper<K>>(
            name: name,
            serialize: { wrapper, buffer in
                buffer.append(wrapper.hash == nil ? wrapper.version | 0x80 : wrapper.version)
                buffer.append(wrapper.instruction.rawValue)
                if let (h1, h2) = wrapper.hash {
                    appendBigEndian(h1, to: &buffer)
                    appendBigEndian(h2, to: &buffer)
                }
                guard try primaryKey.serializeInto(wrapper.primaryKey, &buffer) else {
                    throw SerdeError(kind: .invalidData, serde: name, message: "a subscription needs a primary key")
                }
                if wrapper.version >= 1 { appendBigEndian(wrapper.primaryPartition ?? -1, to: &buffer) }
            },
            deserialize: { bytes in
                func invalid(_ message: String) -> SerdeError { SerdeError(kind: .invalidData, serde: name, message: message) }
                guard bytes.count >= 2 else { throw invalid("\(bytes.count) bytes is too short") }
                let version = bytes[0] & 0x7F
                guard version <= SubscriptionWrapper<K>.currentVersion else {
                    throw invalid("subscription version \(version) is newer than this library's")
                }
                guard let instruction = SubscriptionInstruction(rawValue: bytes[1]) else {
                    throw invalid("unknown instruction \(bytes[1])")
                }
                var offset = 2
                var hash: (UInt64, UInt64)?
                if bytes[0] & 0x80 == 0 {
                    guard bytes.count >= 18 else { throw invalid("\(bytes.count) bytes is too short for a hash") }
                    hash = (
                        UInt64(bitPattern: loadBigEndianInt64(bytes, at: 2)), UInt64(bitPattern: loadBigEndianInt64(bytes, at: 10))
                    )
                    offset = 18
                }
                let end = version >= 1 ? bytes.count - 4 : bytes.count
                guard end >= offset else { throw invalid("\(bytes.count) bytes is too short") }
                let key = try primaryKey.deserialize(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
                var partition: Int32?
                if version >= 1 {
                    partition = Int32(bigEndian: bytes.loadUnaligned(fromByteOffset: end, as: Int32.self))
                }
                return SubscriptionWrapper(
                    hash: hash, instruction: instruction, primaryKey: key, primaryPartition: partition, version: version)
            })
    }

    /// `{1 bit: hash is null}{7 bits: version 0}{16-byte hash, if any}{foreign value, if any}`.
    ///
    /// As in Kafka Streams, a foreign value that serializes to no bytes reads back as none.
    static func subscriptionResponse<VO>(foreignValue: Serde<VO>) -> Serde<SubscriptionResponseWrapper<VO>>
    where Value == SubscriptionResponseWrapper<VO> {
        let name = "subscription-response(\(foreignValue.name))"
        return Serde<SubscriptionResponseWrapper<VO>>(
            name: name,
            serialize: { response, buffer in
                buffer.append(response.originalValueHash == nil ? 0x80 : 0)
                if let (h1, h2) = response.originalValueHash {
                    appendBigEndian(h1, to: &buffer)
                    appendBigEndian(h2, to: &buffer)
                }
                if let value = response.foreignValue {
                    _ = try foreignValue.serializeInto(value, &buffer)
                }
            },
            deserialize: { bytes in
                guard bytes.count >= 1 else {
                    throw SerdeError(kind: .invalidData, serde: name, message: "an empty subscription response")
                }
                guard bytes[0] & 0x7F == 0 else {
                    throw SerdeError(kind: .invalidData, serde: name, message: "response version \(bytes[0] & 0x7F) is unknown")
                }
                var offset = 1
                var hash: (UInt64, UInt64)?
                if bytes[0] & 0x80 == 0 {
                    guard bytes.count >= 17 else {
                        throw SerdeError(kind: .invalidData, serde: name, message: "\(bytes.count) bytes is too short for a hash")
                    }
                    hash = (
                        UInt64(bitPattern: loadBigEndianInt64(bytes, at: 1)), UInt64(bitPattern: loadBigEndianInt64(bytes, at: 9))
                    )
                    offset = 17
                }
                let value = offset < bytes.count
                    ? try foreignValue.deserialize(UnsafeRawBufferPointer(rebasing: bytes[offset...])) : nil
                return SubscriptionResponseWrapper(originalValueHash: hash, foreignValue: value)
            })
    }
}
