import Foundation

/// Uses the wall-clock time at which a record is processed (processing-time semantics), Kafka
/// Streams' `WallclockTimestampExtractor`.
///
/// Sources read the clock of the task: the system clock when running, the mock wall clock under
/// `TopologyTestDriver` (moved with `advanceWallClockTime(by:)`). Called directly, ``extract(_:partitionTime:)``
/// reads the system clock.
public struct WallclockTimestampExtractor: TimestampExtractor, Hashable {
    /// The wall-clock extractor.
    public init() {}

    public func extract<Key, Value>(_ record: Record<Key, Value>, partitionTime: Int64) throws -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}
