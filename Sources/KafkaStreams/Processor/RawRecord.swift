/// A record as it arrives from a topic: bytes valid only while it is being processed.
struct RawRecord {
    var topic: String
    var partition: Int32
    var offset: Int64
    var timestamp: Int64
    var key: UnsafeRawBufferPointer?
    var value: UnsafeRawBufferPointer?
    var headers: RecordHeaders
    /// The value of the record's ``SourceHighWater`` header when the stream thread took it out of
    /// ``headers`` (an exactly-once task's repartition input), valid while the record is processed;
    /// `nil` when the record had none, or when it is still in ``headers``.
    var sourceMark: UnsafeRawBufferPointer? = nil
}
