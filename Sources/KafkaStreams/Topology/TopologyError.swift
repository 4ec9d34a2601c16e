/// A topology that cannot run, found at `build()`, when a topology is described or handed to a runtime.
///
/// Each case names the node, store or topic at fault.
public enum TopologyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Two nodes, or two stores, have the same name.
    case duplicateName(String)
    /// A node names a parent that does not exist.
    case unknownParent(node: String, parent: String)
    /// A processor uses a store that was never added.
    case unknownStore(node: String, store: String)
    /// A store is used by no processor.
    case storeNotConnected(store: String)
    /// A sink or processor has no path from any source.
    case noSource(node: String)
    /// A node cannot follow its parent: the record types differ.
    case typeMismatch(node: String, parent: String, expected: String, actual: String)
    /// A serde is needed and none was given, and the type has no default serde.
    case missingSerde(node: String, type: String)
    /// Topics that must be co-partitioned cannot be.
    case copartitioning(String)
    /// Any other inconsistency; the message says what.
    case invalidTopology(String)

    public var description: String {
        switch self {
        case .duplicateName(let name): "TopologyError: the name \(name) is used twice"
        case .unknownParent(let node, let parent): "TopologyError: \(node) names the unknown parent \(parent)"
        case .unknownStore(let node, let store): "TopologyError: \(node) uses the unknown state store \(store)"
        case .storeNotConnected(let store): "TopologyError: state store \(store) is connected to no processor"
        case .noSource(let node): "TopologyError: \(node) is not reachable from any source"
        case .typeMismatch(let node, let parent, let expected, let actual):
            "TopologyError: \(node) takes \(expected) but its parent \(parent) forwards \(actual)"
        case .missingSerde(let node, let type):
            "TopologyError: \(node) needs a serde for \(type); pass one (e.g. in Grouped, Produced or Materialized)"
        case .copartitioning(let message): "TopologyError: \(message)"
        case .invalidTopology(let message): "TopologyError: \(message)"
        }
    }
}
