import Foundation
import KafkaStreams

/// Page views per user per one-minute tumbling window, final results only.
///
/// Reads `page-views` (key: user, value: page, both strings; the record timestamp is the time of
/// the view), counts views per user and minute with a grace period of 10 seconds for
/// out-of-order views, holds each count back until its window closes (window end plus grace,
/// by stream time) and then writes it once to `page-views-per-minute`: key in Kafka Streams'
/// time-windowed layout (`[user][window start: 8 bytes big-endian]`), value an 8-byte
/// big-endian count. Views that arrive after their window closed are dropped.
enum WindowedCountsTopology {
    static let inputTopic = "page-views"
    static let outputTopic = "page-views-per-minute"
    static let storeName = "page-view-counts"
    static let windowSize: Duration = .seconds(60)
    static let gracePeriod: Duration = .seconds(10)

    /// The key serde of the output topic.
    static let windowedUser: Serde<Windowed<String>> = .timeWindowed(.string, size: windowSize)

    /// - Parameter onFinalCount: Called with every final count as it is written (on a stream
    ///   thread).
    static func build(
        storeType: Materialized<String, Int64>.StoreType = .persistent,
        onFinalCount: (@Sendable (Windowed<String>, Int64) -> Void)? = nil
    ) throws -> Topology {
        let builder = StreamsBuilder()
        var finalCounts = builder.stream(inputTopic, consumed: .with(key: .string, value: .string))
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeAndGrace(windowSize, gracePeriod))
            .count(materialized: .as(storeName, storeType: storeType))
            .suppress(.untilWindowCloses(.unbounded()))
            .toStream()
        if let onFinalCount {
            finalCounts = finalCounts.peek { window, count in
                if let count { onFinalCount(window, count) }
            }
        }
        finalCounts.to(outputTopic, produced: .with(key: windowedUser, value: .int64))
        return try builder.build()
    }

    /// A view of a page by a user at a time (epoch milliseconds).
    struct PageView: Sendable, Equatable {
        var user: String
        var page: String
        var timestamp: Int64
    }

    /// A final count: views of a user in one window.
    struct FinalCount: Sendable, Hashable, Comparable {
        var user: String
        var windowStart: Int64
        var views: Int64

        static func < (lhs: FinalCount, rhs: FinalCount) -> Bool {
            (lhs.windowStart, lhs.user) < (rhs.windowStart, rhs.user)
        }
    }

    /// The final counts the topology writes for `views` produced in this order, computed without
    /// Kafka: a view is dropped when its user has already been seen past its window's end plus
    /// grace, and a window's count is final once the latest view is past its end plus grace.
    ///
    /// The model is exact for samples like ``sample``, where every out-of-order view is either
    /// within grace of all views before it or late for its own user (so partitioning by user
    /// cannot change the outcome), and every user's last view is at the latest time.
    static func expectedFinalCounts(_ views: [PageView]) -> [FinalCount] {
        let size = windowSize.components.seconds * 1000
        let grace = gracePeriod.components.seconds * 1000
        var latestPerUser: [String: Int64] = [:]
        var counts: [FinalCount: Int64] = [:]
        for view in views {
            let start = view.timestamp / size * size
            let userTime = max(latestPerUser[view.user] ?? view.timestamp, view.timestamp)
            latestPerUser[view.user] = userTime
            if start + size + grace <= userTime { continue }  // late for its window
            counts[FinalCount(user: view.user, windowStart: start, views: 0), default: 0] += 1
        }
        let streamTime = views.map(\.timestamp).max() ?? 0
        return counts.filter { $0.key.windowStart + size + grace <= streamTime }
            .map { FinalCount(user: $0.key.user, windowStart: $0.key.windowStart, views: $0.value) }
            .sorted()
    }

    /// Page views from 12:00:00 UTC on 1 January 2024 on: three users over four minutes, with a
    /// view that arrives out of order within the grace period (carol at 12:00:55) and one that
    /// arrives too late (alice at 12:00:40, after her view at 12:01:15), and a last view of every
    /// user at 12:03:20 that closes the first three minutes.
    static let sample: [PageView] = {
        let base: Int64 = 1_704_110_400_000
        let views: [(String, String, Int64)] = [
            ("alice", "/home", 5), ("bob", "/home", 12), ("alice", "/products", 20), ("carol", "/home", 33),
            ("bob", "/cart", 47), ("alice", "/checkout", 58), ("bob", "/home", 62), ("alice", "/products", 65),
            ("carol", "/about", 55), ("alice", "/home", 75), ("alice", "/late", 40), ("bob", "/cart", 90),
            ("carol", "/home", 100), ("bob", "/checkout", 118), ("alice", "/home", 125), ("carol", "/products", 130),
            ("alice", "/bye", 200), ("bob", "/bye", 200), ("carol", "/bye", 200),
        ]
        return views.map { PageView(user: $0.0, page: $0.1, timestamp: base + $0.2 * 1000) }
    }()

    /// `hh:mm:ss` in UTC.
    static func clock(_ epochMilliseconds: Int64) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        return formatter.string(from: Date(timeIntervalSince1970: Double(epochMilliseconds) / 1000))
    }

    /// One line per final count: `user<TAB>start-end<TAB>views`.
    static func line(user: String, windowStart: Int64, views: Int64) -> String {
        let end = windowStart + windowSize.components.seconds * 1000
        return "\(user)\t\(clock(windowStart))-\(clock(end))\t\(views)"
    }
}
