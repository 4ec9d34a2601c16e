/// librdkafka's logical offsets, usable wherever an offset is expected.
public enum KafkaOffset {
    /// The first offset still in the partition's log.
    public static let beginning: Int64 = -2
    /// The end of the partition's log: only records produced from now on.
    public static let end: Int64 = -1
    /// The group's committed offset (falling back to `auto.offset.reset`).
    public static let stored: Int64 = -1000
    /// No offset: not known, not committed, or not consumed yet.
    public static let invalid: Int64 = -1001

    /// `count` records before the end of the partition's log.
    public static func tail(_ count: Int64) -> Int64 { -2000 - count }

    static func describe(_ offset: Int64) -> String {
        switch offset {
        case beginning: return "beginning"
        case end: return "end"
        case stored: return "stored"
        case invalid: return "invalid"
        case ...(-2000): return "tail(\(-2000 - offset))"
        default: return String(offset)
        }
    }
}
