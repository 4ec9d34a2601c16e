import RdKafka
import Synchronization

/// Failed deliveries of a hand-written loop's producer, recorded by its delivery report handler
/// (which runs on the loop's thread, inside poll and flush).
final class DeliveryFailures: Sendable {
    private let first = Mutex<DeliveryReport?>(nil)

    func record(_ report: DeliveryReport) {
        guard report.error != nil else { return }
        first.withLock { if $0 == nil { $0 = report } }
    }

    /// Throws if any delivery failed.
    func check() throws {
        if let report = first.withLock({ $0 }) {
            throw BenchError("delivery to \(report.topic)[\(report.partition)] failed: \(report.error.map { "\($0)" } ?? "?")")
        }
    }
}
