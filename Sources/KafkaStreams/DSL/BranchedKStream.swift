/// The branches of a split stream: each record goes to the first branch whose predicate holds.
///
/// ```swift
/// let branches = stream.split(named: "split-")
///     .branch(named: "small") { _, value in value < 10 }
///     .branch { _, value in value < 100 }
///     .defaultBranch()
/// branches["split-small"]   // values < 10
/// branches["split-2"]       // 10 ..< 100 (unnamed branches are numbered from 1)
/// branches["split-0"]       // everything else (the default branch)
/// ```
public final class BranchedKStream<Key, Value> {
    private let parent: KStream<Key, Value>
    private let splitName: String
    private let prefix: String
    private var predicates: [@Sendable (Key, Value) throws -> Bool] = []
    private var branchNames: [String] = []

    init(parent: KStream<Key, Value>, splitName: String, prefix: String) {
        self.parent = parent
        self.splitName = splitName
        self.prefix = prefix
    }

    /// Adds a branch for records that match `predicate` and no earlier branch.
    ///
    /// - Parameter named: The branch's name after the split's prefix; default: its position from 1.
    @discardableResult
    public func branch(named: String? = nil, _ predicate: @escaping @Sendable (Key, Value) throws -> Bool) -> Self {
        predicates.append(predicate)
        branchNames.append(prefix + (named ?? String(predicates.count)))
        return self
    }

    /// Ends the split with a branch for records no predicate matched (named `<prefix>0` by
    /// default), and returns all branches by name.
    public func defaultBranch(named: String? = nil) -> [String: KStream<Key, Value>] {
        finish(defaultName: prefix + (named ?? "0"))
    }

    /// Ends the split; records no predicate matched are dropped.
    public func noDefaultBranch() -> [String: KStream<Key, Value>] {
        finish(defaultName: nil)
    }

    private func finish(defaultName: String?) -> [String: KStream<Key, Value>] {
        let builder = parent.builder
        let predicates = predicates
        let names = branchNames
        let splitName = splitName
        builder.addProcessor(splitName, parents: [parent.name]) { _ in
            KStreamBranch(name: splitName, predicates: predicates, children: names, defaultChild: defaultName)
        }
        var result: [String: KStream<Key, Value>] = [:]
        for name in names + (defaultName.map { [$0] } ?? []) {
            builder.addProcessor(name, parents: [splitName]) { _ in KStreamPassThrough<Key, Value>(name: name) }
            result[name] = KStream(
                builder: builder, name: name, key: parent.keySerde, value: parent.valueSerde,
                repartitionRequired: parent.repartitionRequired)
        }
        return result
    }
}
