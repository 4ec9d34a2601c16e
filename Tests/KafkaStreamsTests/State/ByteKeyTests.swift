import Testing

@testable import KafkaStreams

@Suite struct ByteKeyTests {
    @Test func equalBytesFromSeparateArraysFindTheSameEntry() {
        var index: [ByteKey: Int] = [:]
        index[ByteKey(Array("page-7".utf8))] = 1
        // Another array with the same bytes (other storage) is the same key.
        let probe = ByteKey(Array("page-".utf8) + [UInt8(ascii: "7")])
        #expect(index[probe] == 1)
        #expect(probe.hashValue == ByteKey(Array("page-7".utf8)).hashValue)
    }

    @Test func keysThatDifferInOneByteOrInLengthAreDistinct() {
        let keys: [[UInt8]] = [[], [0], [0, 0], [1], [0, 1], [1, 0], Array("ab".utf8), Array("abc".utf8)]
        var index: [ByteKey: Int] = [:]
        for (position, key) in keys.enumerated() { index[ByteKey(key)] = position }
        #expect(index.count == keys.count)
        for (position, key) in keys.enumerated() { #expect(index[ByteKey(key)] == position, "key \(key)") }
    }
}
