extension Serde {
    /// Maps Kafka's null to `nil` and back, around a serde of the wrapped type.
    ///
    /// Its closures run per record. Generic ones would look up `Wrapped?`'s metadata on every
    /// call where they run unspecialized (the library's own generic code, such as the sink of
    /// `toStream().to(...)`), so the wrapped types of the built-in serdes get closures written
    /// for them; other types get the generic closures, specialized where this is inlined.
    @inlinable
    public static func optional<Wrapped>(_ wrapped: Serde<Wrapped>) -> Serde<Wrapped?> where Value == Wrapped? {
        if let concrete: Serde<Wrapped?> = concreteOptional(wrapped) { return concrete }
        return Serde<Wrapped?>(
            name: "optional(\(wrapped.name))",
            serializeNullable: { value, buffer in
                guard let value else { return false }
                return try wrapped.serializeInto(value, &buffer)
            },
            deserializeNullable: { bytes in
                guard let bytes else { return nil }
                return try wrapped.deserializeFrom(bytes)
            }
        )
    }

    /// ``optional(_:)`` for the wrapped types of the built-in serdes, or `nil` for other types.
    @usableFromInline
    static func concreteOptional<Wrapped>(_ wrapped: Serde<Wrapped>) -> Serde<Wrapped?>? {
        func cast<Known>(_ make: (Serde<Known>) -> Serde<Known?>) -> Serde<Wrapped?> {
            // Identity casts: `Known` is `Wrapped`, checked by the caller.
            unsafeBitCast(make(unsafeBitCast(wrapped, to: Serde<Known>.self)), to: Serde<Wrapped?>.self)
        }
        switch Wrapped.self {
        case is Int64.Type: return cast(Serde<Int64?>.wrapping)
        case is Int32.Type: return cast(Serde<Int32?>.wrapping)
        case is Double.Type: return cast(Serde<Double?>.wrapping)
        case is String.Type:
            if wrapped.builtIn == .string { return unsafeBitCast(Serde<String?>.optionalString, to: Serde<Wrapped?>.self) }
            return cast(Serde<String?>.wrapping)
        case is [UInt8].Type:
            if wrapped.builtIn == .bytes { return unsafeBitCast(Serde<[UInt8]?>.optionalBytes, to: Serde<Wrapped?>.self) }
            return cast(Serde<[UInt8]?>.wrapping)
        default: return nil
        }
    }

    /// The optional serde's closures, for one concrete wrapped type (called with a concrete
    /// `Wrapped`, so specialized: no metadata lookups per record).
    @usableFromInline
    static func wrapping<Wrapped>(_ wrapped: Serde<Wrapped>) -> Serde<Wrapped?> where Value == Wrapped? {
        let serialize = wrapped.serializeInto
        let deserialize = wrapped.deserializeFrom
        return Serde<Wrapped?>(
            name: "optional(\(wrapped.name))",
            serializeNullable: { value, buffer in
                guard let value else { return false }
                return try serialize(value, &buffer)
            },
            deserializeNullable: { bytes in
                guard let bytes else { return nil }
                return try deserialize(bytes)
            },
            builtIn: nil
        )
    }
}

extension Serde where Value == [UInt8]? {
    /// `optional(.bytes)`: its own closures rather than ``Serde/wrapping(_:)``'s around `.bytes`'s,
    /// one closure call (and the copy of the unwrapped value it takes) less per key or value.
    @usableFromInline
    static var optionalBytes: Serde<[UInt8]?> {
        Serde(
            name: "optional(bytes)",
            serializeNullable: { value, buffer in
                guard let value else { return false }
                value.withUnsafeBytes { buffer.append(contentsOf: $0) }
                return true
            },
            deserializeNullable: { bytes in bytes.map { Array($0) } },
            builtIn: .optionalBytes)
    }
}

extension Serde where Value == String? {
    /// `optional(.string)`, with closures of its own like ``optionalBytes``.
    @usableFromInline
    static var optionalString: Serde<String?> {
        Serde(
            name: "optional(string)",
            serializeNullable: { value, buffer in
                guard let value else { return false }
                buffer.append(contentsOf: value.utf8)
                return true
            },
            deserializeNullable: { bytes in bytes.map { String(decoding: $0, as: UTF8.self) } },
            builtIn: .optionalString)
    }
}
