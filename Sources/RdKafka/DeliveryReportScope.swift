/// Which delivery reports a producer hands to its delivery report handler.
public enum DeliveryReportScope: Sendable, Hashable {
    /// Every message's report.
    case all
    /// Failed messages, and successful ones produced with a non-zero `tag`; others are skipped
    /// before any Swift value is built for them.
    case failuresAndTagged
}
