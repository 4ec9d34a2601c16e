/// A record as it arrives from a topic: bytes valid only while it is being processed.
struct RawRecord {
    var topic: String
    var partition: Int32
    var offset: Int64
    var timestamp: Int64
    var key: UnsafeRawBufferPointer?
    var value: UnsafeRawBufferPointer?
    var headers: RecordHeaders
}
