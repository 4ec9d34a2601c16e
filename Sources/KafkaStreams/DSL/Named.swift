/// A name for a DSL operator's processor, instead of a generated one.
///
/// Naming operators keeps processor names, and so internal topic and store names derived from
/// them, stable when the topology changes elsewhere.
public struct Named: Sendable, Hashable, ExpressibleByStringLiteral {
    public let name: String

    public init(_ name: String) { self.name = name }
    public init(stringLiteral value: String) { self.name = value }

    /// A processor name.
    public static func `as`(_ name: String) -> Named { Named(name) }
}
