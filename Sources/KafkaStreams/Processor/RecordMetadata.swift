/// Where the record being processed came from.
///
/// Absent in punctuations, where no record is being processed.
public struct RecordMetadata: Sendable, Hashable {
    /// The topic the task read the record from (a repartition topic's full name for internal topics).
    public var topic: String
    public var partition: Int32
    public var offset: Int64

    public init(topic: String, partition: Int32, offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }
}
