import Testing

@testable import KafkaStreams

@Suite struct ChangelogOriginTests {
    @Test(arguments: [ChangelogOrigin(offset: 0, topic: nil), ChangelogOrigin(offset: 1 << 40, topic: "orders.v2")])
    func headersRoundTrip(origin: ChangelogOrigin) {
        let decoded = origin.header.withUnsafeBytes { ChangelogOrigin(header: $0) }
        #expect(decoded == origin)
    }

    @Test func shortHeadersAreNotOrigins() {
        let decoded = [UInt8](repeating: 0, count: 7).withUnsafeBytes { ChangelogOrigin(header: $0) }
        #expect(decoded == nil)
        // The topic is left out when the task reads one topic: 8 bytes in all.
        #expect(ChangelogOrigin(offset: 5, topic: nil).header.count == 8)
        #expect(ChangelogOrigin(offset: 258, topic: "t").header == [0, 0, 0, 0, 0, 0, 1, 2, 116])
    }
}
