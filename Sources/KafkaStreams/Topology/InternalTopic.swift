/// A topic the application owns and creates at start: repartition and changelog topics.
///
/// Topology names are without the application id; at run time they are
/// `<applicationID>-<name>`.
struct InternalTopic: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        case repartition
        case changelog(store: String)
    }

    let name: String
    let kind: Kind
    /// A fixed partition count (from `Repartitioned`), or `nil` to derive it from the sources.
    let partitions: Int32?
    /// Topic configs such as `cleanup.policy`.
    let configs: [String: String]
}
