import KafkaStreams

/// The topology of the `joins` example, and its sample data.
///
/// - Page views (`page-views`, keyed by user) are enriched with user profiles (the table
///   `user-profiles`, keyed by user): a stream-table left join, so views of users without a
///   profile are kept. Output: `enriched-page-views`.
/// - Ad impressions (`ad-impressions`) and clicks (`ad-clicks`), both keyed by impression id,
///   are joined when the click comes within 10 s after the impression: a stream-stream join.
///   Output: `clicked-impressions`.
enum JoinsTopology {
    static let pageViews = "page-views"
    static let userProfiles = "user-profiles"
    static let enrichedViews = "enriched-page-views"
    static let impressions = "ad-impressions"
    static let clicks = "ad-clicks"
    static let clickedImpressions = "clicked-impressions"
    static let inputTopics = [pageViews, userProfiles, impressions, clicks]
    static let outputTopics = [enrichedViews, clickedImpressions]

    struct PageView: Codable, Equatable, Sendable, JSONSerdeDefault {
        var page: String
    }

    struct UserProfile: Codable, Equatable, Sendable, JSONSerdeDefault {
        var name: String
        var region: String
    }

    struct Impression: Codable, Equatable, Sendable, JSONSerdeDefault {
        var user: String
        var campaign: String
    }

    struct Click: Codable, Equatable, Sendable, JSONSerdeDefault {
        var landingPage: String
    }

    /// Clicks count when they come at most this long after their impression.
    static let clickWindow = JoinWindows.ofTimeDifferenceWithNoGrace(.seconds(10)).before(.zero)

    static func build() throws -> Topology {
        let builder = StreamsBuilder()
        let profiles: KTable<String, UserProfile> = builder.table(userProfiles, materialized: .as("profiles"))
        builder.stream(pageViews, consumed: .with(key: .string, value: .json(PageView.self)))
            .leftJoin(profiles) { view, profile in
                guard let profile else { return "unknown user viewed \(view.page)" }
                return "\(profile.name) (\(profile.region)) viewed \(view.page)"
            }
            .to(enrichedViews, produced: .with(key: .string, value: .string))

        let clickStream: KStream<String, Click> = builder.stream(clicks)
        builder.stream(impressions, consumed: .with(key: .string, value: .json(Impression.self)))
            .join(
                clickStream, windows: clickWindow,
                streamJoined: StreamJoined.with(key: .string, value: .json(Impression.self), otherValue: .json(Click.self))
                    .withStoreName("impression-clicks")
            ) { impression, click in
                "\(impression.user) clicked \(impression.campaign) -> \(click.landingPage)"
            }
            .to(clickedImpressions, produced: .with(key: .string, value: .string))
        return try builder.build()
    }

    // MARK: - Sample data

    /// 2024-01-01 12:00:00 UTC.
    static let base: Int64 = 1_704_110_400_000

    static let sampleProfiles: [(user: String, profile: UserProfile)] = [
        ("alice", UserProfile(name: "Alice", region: "EU")),
        ("bob", UserProfile(name: "Bob", region: "US")),
    ]

    static let sampleViews: [(user: String, view: PageView, timestamp: Int64)] = [
        ("alice", PageView(page: "/home"), base + 1_000),
        ("bob", PageView(page: "/cart"), base + 2_000),
        ("carol", PageView(page: "/home"), base + 3_000),
        ("alice", PageView(page: "/checkout"), base + 4_000),
    ]

    static let sampleImpressions: [(id: String, impression: Impression, timestamp: Int64)] = [
        ("imp-1", Impression(user: "alice", campaign: "spring-sale"), base),
        ("imp-2", Impression(user: "bob", campaign: "spring-sale"), base + 1_000),
        ("imp-3", Impression(user: "carol", campaign: "new-arrivals"), base + 2_000),
    ]

    /// imp-1 is clicked after 4 s, imp-2 after 14 s (too late), imp-3 after 0.5 s and again after 9 s.
    static let sampleClicks: [(id: String, click: Click, timestamp: Int64)] = [
        ("imp-3", Click(landingPage: "/new"), base + 2_500),
        ("imp-1", Click(landingPage: "/sale"), base + 4_000),
        ("imp-3", Click(landingPage: "/new/shoes"), base + 11_000),
        ("imp-2", Click(landingPage: "/sale"), base + 15_000),
    ]

    /// What the sample produces, by key then value.
    static let expectedEnrichedViews: [String] = [
        "alice\tAlice (EU) viewed /checkout", "alice\tAlice (EU) viewed /home", "bob\tBob (US) viewed /cart",
        "carol\tunknown user viewed /home",
    ]

    static let expectedClickedImpressions: [String] = [
        "imp-1\talice clicked spring-sale -> /sale", "imp-3\tcarol clicked new-arrivals -> /new",
        "imp-3\tcarol clicked new-arrivals -> /new/shoes",
    ]
}
