/// A task: one subtopology applied to one partition of its input topics.
public struct TaskID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let subtopology: Int
    public let partition: Int32

    public init(subtopology: Int, partition: Int32) {
        self.subtopology = subtopology
        self.partition = partition
    }

    /// `subtopology_partition`, as Kafka Streams prints task ids and names state directories.
    public var description: String { "\(subtopology)_\(partition)" }

    public static func < (lhs: TaskID, rhs: TaskID) -> Bool {
        (lhs.subtopology, lhs.partition) < (rhs.subtopology, rhs.partition)
    }
}
