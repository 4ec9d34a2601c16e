import Foundation

/// A type with a serde that is used when a call leaves the serde out.
///
/// `String`, `Int32`, `Int64`, `Double`, `[UInt8]`, `UUID` and optionals of them conform.
/// Your `Codable` types get JSON by conforming to ``JSONSerdeDefault``.
public protocol DefaultSerde {
    /// The serde used when none is given.
    static var defaultSerde: Serde<Self> { get }
}

/// Marks a `Codable` type whose default serde is ``Serde/json(_:)``.
///
/// ```swift
/// struct PageView: Codable, JSONSerdeDefault { var user: String; var page: String }
/// builder.stream("views", consumed: Consumed<String, PageView>.with())
/// ```
public protocol JSONSerdeDefault: Codable, DefaultSerde, SendableMetatype {}

extension JSONSerdeDefault {
    public static var defaultSerde: Serde<Self> { .json(Self.self) }
}

extension String: DefaultSerde { public static var defaultSerde: Serde<String> { .string } }
extension Int64: DefaultSerde { public static var defaultSerde: Serde<Int64> { .int64 } }
extension Int32: DefaultSerde { public static var defaultSerde: Serde<Int32> { .int32 } }
extension Double: DefaultSerde { public static var defaultSerde: Serde<Double> { .double } }
extension UUID: DefaultSerde { public static var defaultSerde: Serde<UUID> { .uuid } }
extension Array: DefaultSerde where Element == UInt8 {
    public static var defaultSerde: Serde<[UInt8]> { .bytes }
}
extension Optional: DefaultSerde where Wrapped: DefaultSerde {
    public static var defaultSerde: Serde<Wrapped?> { .optional(Wrapped.defaultSerde) }
}
