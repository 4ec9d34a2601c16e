import KafkaStreams
import KafkaStreamsTesting
import Testing

/// Stream-stream joins: windows, their edges, grace, out-of-order records, and when left and
/// outer joins emit unmatched records (only once the join window has closed, as Kafka Streams
/// 3.1+). Scenarios follow Kafka Streams' `KStreamKStream*JoinTest`s.
@Suite struct JoinStreamStreamTests {
    enum Kind { case inner, left, outer }

    /// `left` and `right` joined into `out`, values joined as `"left+right"` (`null` for none).
    struct Harness {
        let builder = StreamsBuilder()
        let driver: TopologyTestDriver
        let left: TestInputTopic<Int32, String>
        let right: TestInputTopic<Int32, String>
        let output: TestOutputTopic<Int32, String>

        init(
            _ kind: Kind, windows: JoinWindows,
            streamJoined: StreamJoined<Int32, String, String> = .with(key: .int32, value: .string, otherValue: .string)
        ) throws {
            let one = builder.stream("left", consumed: .with(key: .int32, value: .string))
            let two = builder.stream("right", consumed: .with(key: .int32, value: .string))
            let joined: KStream<Int32, String>
            switch kind {
            case .inner:
                joined = one.join(two, windows: windows, streamJoined: streamJoined) { "\($0)+\($1)" }
            case .left:
                joined = one.leftJoin(two, windows: windows, streamJoined: streamJoined) { "\($0)+\($1 ?? "null")" }
            case .outer:
                joined = one.outerJoin(two, windows: windows, streamJoined: streamJoined) {
                    "\($0 ?? "null")+\($1 ?? "null")"
                }
            }
            joined.to("out", produced: .with(key: .int32, value: .string))
            driver = try TopologyTestDriver(topology: builder.build())
            left = driver.createInputTopic("left", key: .int32, value: .string)
            right = driver.createInputTopic("right", key: .int32, value: .string)
            output = driver.createOutputTopic("out", key: .int32, value: .string)
        }

        /// Every unread output as (key, value, timestamp).
        func read() -> [Triple<Int32, String>] { output.readTriples() }
    }

    func t(_ key: Int32, _ value: String, _ timestamp: Int64) -> Triple<Int32, String> {
        Triple(key: key, value: value, timestamp: timestamp)
    }

    // MARK: - Inner joins

    @Test func innerJoinPairsRecordsOfTheSameKeyWithinTheWindow() throws {
        let h = try Harness(.inner, windows: .ofTimeDifferenceWithNoGrace(.milliseconds(100)))
        // Left records alone produce nothing.
        try h.left.pipeInput(key: 0, value: "A0", timestamp: 0)
        try h.left.pipeInput(key: 1, value: "A1", timestamp: 0)
        #expect(h.read() == [])
        // Right records join the left ones of their key; keys 2 and 3 have no partner.
        for key: Int32 in 0...3 { try h.right.pipeInput(key: key, value: "a\(key)", timestamp: 0) }
        #expect(h.read() == [t(0, "A0+a0", 0), t(1, "A1+a1", 0)])
        // Every left record joins every right record of its key in the window, in insertion order.
        for key: Int32 in 0...3 { try h.left.pipeInput(key: key, value: "B\(key)", timestamp: 50) }
        #expect(
            h.read() == [t(0, "B0+a0", 50), t(1, "B1+a1", 50), t(2, "B2+a2", 50), t(3, "B3+a3", 50)])
    }

    /// The window is inclusive at both ends: `[t - before, t + after]`, from either side.
    @Test(arguments: [
        (Int64(900), true), (899, false), (1100, true), (1101, false), (1000, true),
    ])
    func windowEdgesAreInclusive(rightTime: Int64, joins: Bool) throws {
        let h = try Harness(.inner, windows: .ofTimeDifferenceAndGrace(.milliseconds(100), .seconds(10)))
        try h.left.pipeInput(key: 7, value: "L", timestamp: 1000)
        try h.right.pipeInput(key: 7, value: "R", timestamp: rightTime)
        #expect(h.read() == (joins ? [t(7, "L+R", max(1000, rightTime))] : []))
    }

    /// With `before(.zero)`, right records join only at or after the left record's time.
    @Test(arguments: [(Int64(999), false), (1000, true), (1100, true), (1101, false)])
    func asymmetricWindowsFromTheRightSide(rightTime: Int64, joins: Bool) throws {
        let h = try Harness(
            .inner, windows: JoinWindows.ofTimeDifferenceAndGrace(.milliseconds(100), .seconds(10)).before(.zero))
        try h.right.pipeInput(key: 7, value: "R", timestamp: rightTime)
        try h.left.pipeInput(key: 7, value: "L", timestamp: 1000)
        #expect(h.read() == (joins ? [t(7, "L+R", max(1000, rightTime))] : []))
    }

    @Test func outOfOrderRecordsJoinWithinTheGracePeriod() throws {
        let h = try Harness(.inner, windows: .ofTimeDifferenceAndGrace(.milliseconds(100), .milliseconds(50)))
        try h.left.pipeInput(key: 1, value: "A", timestamp: 1000)
        try h.right.pipeInput(key: 9, value: "x", timestamp: 1100)  // stream time 1100
        // Out of order: the stores keep records for size (200) + grace (50) behind their latest.
        try h.right.pipeInput(key: 1, value: "a", timestamp: 950)
        #expect(h.read() == [t(1, "A+a", 1000)])
        // Out of order on the left side too: joins the right record at 950.
        try h.left.pipeInput(key: 1, value: "B", timestamp: 900)
        #expect(h.read() == [t(1, "B+a", 950)])
        // Too old for the right store (1100 - 250): not kept, so later left records miss it.
        try h.right.pipeInput(key: 1, value: "old", timestamp: 840)
        #expect(h.read() == [t(1, "B+old", 900)])
        try h.left.pipeInput(key: 1, value: "C", timestamp: 860)
        #expect(h.read() == [t(1, "C+a", 950)])
    }

    @Test func recordsWithNullKeysOrValuesAreDroppedByInnerJoins() throws {
        let builder = StreamsBuilder()
        let one = builder.stream("left", consumed: .with(key: .optional(.int32), value: .optional(.string)))
        let two = builder.stream("right", consumed: .with(key: .optional(.int32), value: .optional(.string)))
        one.join(two, windows: .ofTimeDifferenceWithNoGrace(.seconds(1))) { l, r in "\(l ?? "-")+\(r ?? "-")" }
            .to("out", produced: .with(key: .optional(.int32), value: .string))
        let driver = try TopologyTestDriver(topology: builder.build())
        let left = driver.createInputTopic("left", key: .optional(.int32), value: .optional(.string))
        let right = driver.createInputTopic("right", key: .optional(.int32), value: .optional(.string))
        let output = driver.createOutputTopic("out", key: .optional(.int32), value: .string)
        try left.pipeInput(key: nil, value: "A", timestamp: 0)
        try left.pipeInput(key: 1, value: nil, timestamp: 0)
        try right.pipeInput(key: 1, value: "a", timestamp: 0)
        try right.pipeInput(key: nil, value: "b", timestamp: 0)
        #expect(output.readKeyValuesToList() == [])
        #expect(driver.droppedRecordsCount == 3)
    }

    // MARK: - Left joins

    /// Kafka Streams' `testLeftExpiredNonJoinedRecordsAreEmittedByTheLeftProcessor` and
    /// `...ByTheRightProcessor`: unmatched left records wait until stream time, moved by either
    /// side, passes their window's end.
    @Test(arguments: [true, false])
    func leftJoinEmitsUnmatchedRecordsOnlyAfterTheirWindowCloses(bumpOnTheLeft: Bool) throws {
        let h = try Harness(.left, windows: .ofTimeDifferenceAndGrace(.milliseconds(100), .zero))
        try h.left.pipeInput(key: 0, value: "A0", timestamp: 1)
        try h.left.pipeInput(key: 1, value: "A1", timestamp: 2)
        try h.left.pipeInput(key: 0, value: "A0-0", timestamp: 3)
        #expect(h.read() == [])
        try h.right.pipeInput(key: 1, value: "a1", timestamp: 3)
        #expect(h.read() == [t(1, "A1+a1", 3)])
        // Stream time 401 closes the windows of A0 and A0-0 (1 + 100 and 3 + 100).
        if bumpOnTheLeft {
            try h.left.pipeInput(key: 2, value: "dummy", timestamp: 401)
        } else {
            try h.right.pipeInput(key: 2, value: "dummy", timestamp: 401)
        }
        #expect(h.read() == [t(0, "A0+null", 1), t(0, "A0-0+null", 3)])
        if bumpOnTheLeft {
            try h.right.pipeInput(key: 2, value: "dummy", timestamp: 401)
        } else {
            try h.left.pipeInput(key: 2, value: "dummy", timestamp: 402)
        }
        #expect(h.read() == [t(2, "dummy+dummy", bumpOnTheLeft ? 401 : 402)])
    }

    /// The window closes at its end plus the grace period: not one millisecond earlier.
    @Test func leftJoinWaitsForTheGracePeriod() throws {
        let h = try Harness(.left, windows: .ofTimeDifferenceAndGrace(.milliseconds(100), .milliseconds(10)))
        try h.left.pipeInput(key: 0, value: "A0", timestamp: 0)
        try h.right.pipeInput(key: 5, value: "x", timestamp: 110)  // 0 + 100 + 10 >= 110: still open
        #expect(h.read() == [])
        try h.right.pipeInput(key: 5, value: "y", timestamp: 111)
        #expect(h.read() == [t(0, "A0+null", 0)])
    }

    /// Kafka Streams' `testLeftJoinDuplicates`: duplicates are kept and emitted one by one; a
    /// record matched before its window closed is never emitted unmatched (no spurious result).
    @Test func leftJoinDuplicatesAndNoSpuriousResults() throws {
        let h = try Harness(.left, windows: .ofTimeDifferenceAndGrace(.milliseconds(100), .milliseconds(10)))
        try h.left.pipeInput(key: 0, value: "A0", timestamp: 0)
        try h.left.pipeInput(key: 0, value: "A0-0", timestamp: 0)
        try h.right.pipeInput(key: 1, value: "a0", timestamp: 111)
        try h.right.pipeInput(key: 2, value: "dummy", timestamp: 500)
        #expect(h.read() == [t(0, "A0+null", 0), t(0, "A0-0+null", 0)])

        try h.left.pipeInput(key: 2, value: "A2", timestamp: 1000)
        try h.left.pipeInput(key: 2, value: "A2-0", timestamp: 1000)
        try h.right.pipeInput(key: 2, value: "a2", timestamp: 1001)
        #expect(h.read() == [t(2, "A2+a2", 1001), t(2, "A2-0+a2", 1001)])
        // Would close A2's window, but A2 and A2-0 are matched: nothing more.
        try h.right.pipeInput(key: 3, value: "a3", timestamp: 315)
        try h.right.pipeInput(key: 3, value: "a3", timestamp: 5000)
        #expect(h.read() == [])
    }

    /// Kafka Streams' `shouldNotEmitLeftJoinResultForAsymmetricWindow`.
    @Test func leftJoinWithAnAsymmetricWindow() throws {
        let h = try Harness(.left, windows: JoinWindows.ofTimeDifferenceWithNoGrace(.milliseconds(100)).before(.zero))
        try h.left.pipeInput(key: 0, value: "A0", timestamp: 0)
        try h.left.pipeInput(key: 1, value: "A1", timestamp: 1)
        #expect(h.read() == [])
        try h.right.pipeInput(key: 0, value: "a0", timestamp: 100)
        #expect(h.read() == [t(0, "A0+a0", 100)])
        // 102 closes A1's window (1 + 100 < 102).
        try h.right.pipeInput(key: 1, value: "a1", timestamp: 102)
        #expect(h.read() == [t(1, "A1+null", 1)])
    }

    /// A record whose window has already closed when it arrives is emitted unmatched at once.
    @Test func lateLeftRecordsWithoutPartnerAreEmittedAtOnce() throws {
        let h = try Harness(.left, windows: .ofTimeDifferenceAndGrace(.milliseconds(100), .milliseconds(500)))
        try h.right.pipeInput(key: 9, value: "x", timestamp: 1000)
        try h.left.pipeInput(key: 1, value: "late", timestamp: 800)  // 800 + 100 < 1000
        #expect(h.read() == [t(1, "late+null", 800)])
        try h.left.pipeInput(key: 2, value: "in-window", timestamp: 950)  // waits
        #expect(h.read() == [])
    }

    /// Records of the right side of a left join never produce results on their own.
    @Test func rightRecordsOfALeftJoinAreNeverEmittedUnmatched() throws {
        let h = try Harness(.left, windows: .ofTimeDifferenceWithNoGrace(.milliseconds(10)))
        try h.right.pipeInput(key: 1, value: "a1", timestamp: 0)
        try h.right.pipeInput(key: 2, value: "a2", timestamp: 1000)
        try h.left.pipeInput(key: 3, value: "A3", timestamp: 2000)
        try h.right.pipeInput(key: 4, value: "a4", timestamp: 3000)
        #expect(h.read() == [t(3, "A3+null", 2000)])
    }

    /// KIP-962: a left record without key can never match, so its result is emitted at once.
    @Test func leftJoinEmitsRecordsWithNullKeysAtOnce() throws {
        let builder = StreamsBuilder()
        let one = builder.stream("left", consumed: .with(key: .optional(.int32), value: .string))
        let two = builder.stream("right", consumed: .with(key: .optional(.int32), value: .string))
        one.leftJoin(two, windows: .ofTimeDifferenceWithNoGrace(.seconds(1))) { l, r in "\(l)+\(r ?? "null")" }
            .to("out", produced: .with(key: .optional(.int32), value: .string))
        let driver = try TopologyTestDriver(topology: builder.build())
        let left = driver.createInputTopic("left", key: .optional(.int32), value: .string)
        let right = driver.createInputTopic("right", key: .optional(.int32), value: .string)
        let output = driver.createOutputTopic("out", key: .optional(.int32), value: .string)
        try left.pipeInput(key: nil, value: "A", timestamp: 5)
        try right.pipeInput(key: nil, value: "a", timestamp: 5)
        #expect(output.readKeyValuesToList() == [kv(Int32?.none, "A+null")])
        #expect(driver.droppedRecordsCount == 1)
    }

    // MARK: - Outer joins

    @Test func outerJoinEmitsUnmatchedRecordsOfBothSidesInTimeOrderAfterTheirWindowsClose() throws {
        let h = try Harness(.outer, windows: .ofTimeDifferenceAndGrace(.milliseconds(100), .milliseconds(10)))
        try h.left.pipeInput(key: 1, value: "A1", timestamp: 10)
        try h.right.pipeInput(key: 2, value: "b2", timestamp: 5)
        try h.right.pipeInput(key: 3, value: "b3", timestamp: 20)
        try h.left.pipeInput(key: 3, value: "A3", timestamp: 30)
        #expect(h.read() == [t(3, "A3+b3", 30)])
        // 121 closes b2's window (5 + 100 + 10 < 121) and A1's (10 + 110 < 121).
        try h.left.pipeInput(key: 9, value: "A9", timestamp: 121)
        #expect(h.read() == [t(2, "null+b2", 5), t(1, "A1+null", 10)])
        try h.right.pipeInput(key: 8, value: "b8", timestamp: 1000)
        #expect(h.read() == [t(9, "A9+null", 121)])
    }

    /// Outer join with asymmetric windows: a right record's window closes `before` after it, a
    /// left one's `after` after it. As in Kafka Streams, a side checks whether anything may have
    /// closed with its own look-ahead, so b3 (closed at 61) waits until stream time 101.
    @Test func outerJoinWithAsymmetricWindows() throws {
        let windows = JoinWindows.ofTimeDifferenceWithNoGrace(.milliseconds(100)).before(.milliseconds(10))
        let h = try Harness(.outer, windows: windows)
        try h.left.pipeInput(key: 1, value: "A1", timestamp: 0)  // closes after 100
        try h.right.pipeInput(key: 2, value: "b2", timestamp: 0)  // closes after 10
        try h.right.pipeInput(key: 3, value: "b3", timestamp: 50)  // closes after 60
        #expect(h.read() == [t(2, "null+b2", 0)])
        try h.left.pipeInput(key: 4, value: "A4", timestamp: 61)
        #expect(h.read() == [])
        try h.left.pipeInput(key: 5, value: "A5", timestamp: 101)
        #expect(h.read() == [t(1, "A1+null", 0), t(3, "null+b3", 50)])
    }

    // MARK: - Topology

    @Test func storesAndProcessorsAreNamedAsInKafkaStreams() throws {
        let builder = StreamsBuilder()
        let one = builder.stream("left", consumed: .with(key: .int32, value: .string))
        let two = builder.stream("right", consumed: .with(key: .int32, value: .string))
        one.leftJoin(two, windows: .ofTimeDifferenceWithNoGrace(.seconds(1))) { l, r in "\(l)\(r ?? "")" }
            .to("out", produced: .with(key: .int32, value: .string))
        let description = try builder.build().describe().description
        for name in [
            "KSTREAM-WINDOWED-0000000002", "KSTREAM-WINDOWED-0000000003", "KSTREAM-JOINTHIS-0000000004",
            "KSTREAM-OUTEROTHER-0000000005", "KSTREAM-MERGE-0000000006", "KSTREAM-JOINTHIS-0000000004-store",
            "KSTREAM-OUTEROTHER-0000000005-store", "KSTREAM-OUTERSHARED-0000000004-store",
        ] {
            #expect(description.contains(name), "\(name) missing in\n\(description)")
        }

        let named = StreamsBuilder()
        let three = named.stream("left", consumed: .with(key: .int32, value: .string))
        let four = named.stream("right", consumed: .with(key: .int32, value: .string))
        three.outerJoin(
            four, windows: .ofTimeDifferenceWithNoGrace(.seconds(1)),
            streamJoined: StreamJoined.as("clicks").withName("pairs")
        ) { l, r in "\(l ?? "")\(r ?? "")" }
            .to("out", produced: .with(key: .int32, value: .string))
        let namedDescription = try named.build().describe().description
        for name in [
            "pairs-this-windowed", "pairs-other-windowed", "pairs-outer-this-join", "pairs-outer-other-join",
            "pairs-merge", "clicks-outer-this-join-store", "clicks-outer-other-join-store",
            "clicks-outer-shared-join-store",
        ] {
            #expect(namedDescription.contains(name), "\(name) missing in\n\(namedDescription)")
        }
    }

    @Test func joinStoresAreLoggedToTheirChangelogs() throws {
        let h = try Harness(
            .left, windows: .ofTimeDifferenceWithNoGrace(.seconds(1)),
            streamJoined: StreamJoined.with(key: .int32, value: .string, otherValue: .string).withStoreName("s"))
        try h.left.pipeInput(key: 1, value: "A", timestamp: 0)
        let changelog = h.driver.createOutputTopic(
            h.driver.internalTopicName("s-this-join-store-changelog"), key: .bytes, value: .string)
        #expect(changelog.readValuesToList() == ["A"])
        let shared = h.driver.createOutputTopic(
            h.driver.internalTopicName("s-left-shared-join-store-changelog"), key: .bytes, value: .bytes)
        #expect(shared.queueSize == 1)
    }

    @Test func storeSuppliersMustMatchTheWindows() throws {
        let windows = JoinWindows.ofTimeDifferenceAndGrace(.milliseconds(100), .milliseconds(10))
        func supplier(_ name: String, retention: Int64 = 210, duplicates: Bool = true) -> WindowBytesStoreSupplier {
            Stores.inMemoryWindowStore(
                name, retentionPeriod: .milliseconds(retention), windowSize: .milliseconds(200), retainDuplicates: duplicates)
        }
        let h = try Harness(
            .left, windows: windows,
            streamJoined: .with(thisStoreSupplier: supplier("l"), otherStoreSupplier: supplier("r")))
        try h.left.pipeInput(key: 1, value: "A", timestamp: 0)
        try h.right.pipeInput(key: 1, value: "a", timestamp: 50)
        #expect(h.read() == [t(1, "A+a", 50)])
        #expect(try h.builder.build().describe().description.contains("l-left-shared-join-store"))

        for bad in [
            StreamJoined<Int32, String, String>.with(thisStoreSupplier: supplier("l", retention: 300), otherStoreSupplier: supplier("r")),
            .with(thisStoreSupplier: supplier("l"), otherStoreSupplier: supplier("r", duplicates: false)),
            .with(thisStoreSupplier: supplier("same"), otherStoreSupplier: supplier("same")),
        ] {
            #expect(throws: TopologyError.self) { try Harness(.inner, windows: windows, streamJoined: bad) }
        }
    }

    @Test func invalidWindowsFailTheBuild() throws {
        for windows in [
            JoinWindows.ofTimeDifferenceWithNoGrace(.milliseconds(10)).before(.milliseconds(-11)),
            JoinWindows.ofTimeDifferenceAndGrace(.milliseconds(10), .milliseconds(-1)),
        ] {
            let builder = StreamsBuilder()
            let one = builder.stream("left", consumed: .with(key: .int32, value: .string))
            let two = builder.stream("right", consumed: .with(key: .int32, value: .string))
            one.join(two, windows: windows) { l, r in l + r }.to("out", produced: .with(key: .int32, value: .string))
            #expect(throws: TopologyError.self) { try builder.build() }
        }
    }

    @Test func joinAfterAKeyChangeRepartitionsBothSides() throws {
        let builder = StreamsBuilder()
        let one = builder.stream("left", consumed: .with(key: .string, value: .string)).selectKey { _, v in v }
        let two = builder.stream("right", consumed: .with(key: .string, value: .string)).selectKey { _, v in v }
        one.join(
            two, windows: .ofTimeDifferenceWithNoGrace(.seconds(1)),
            streamJoined: StreamJoined.with(key: .string, value: .string, otherValue: .string).withName("j")
        ) { l, r in "\(l)=\(r)" }
            .to("out", produced: .with(key: .string, value: .string))
        let driver = try TopologyTestDriver(topology: builder.build(), partitions: ["left": 3, "right": 3])
        let left = driver.createInputTopic("left", key: .string, value: .string)
        let right = driver.createInputTopic("right", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .string, value: .string)
        let leftRepartition = driver.createOutputTopic(driver.internalTopicName("j-left-repartition"), key: .string, value: .string)
        for index in 0..<6 { try left.pipeInput(key: "l\(index)", value: "v\(index % 2)", timestamp: 0) }
        try right.pipeInput(key: "r", value: "v1", timestamp: 0)
        #expect(output.readKeyValuesToList() == Array(repeating: kv("v1", "v1=v1"), count: 3))
        #expect(leftRepartition.queueSize == 6)
    }

    @Test func differentlyPartitionedInputsCannotBeJoined() throws {
        let builder = StreamsBuilder()
        let one = builder.stream("left", consumed: .with(key: .int32, value: .string))
        let two = builder.stream("right", consumed: .with(key: .int32, value: .string))
        one.join(two, windows: .ofTimeDifferenceWithNoGrace(.seconds(1))) { l, r in l + r }
            .to("out", produced: .with(key: .int32, value: .string))
        #expect {
            _ = try TopologyTestDriver(topology: builder.build(), partitions: ["left": 2, "right": 3])
        } throws: { error in
            guard case TopologyError.copartitioning(let message) = error else { return false }
            return message.contains("left") && message.contains("right")
        }
    }
}
