/// Kafka's default partitioner hash: murmur2 with Kafka's seed, as `Utils.murmur2` in the Java client.
///
/// Sinks choose partitions with it so that records land where Java producers (and Kafka Streams
/// apps) would put them, and repartition topics agree between the runtime and the test driver.
enum Murmur2 {
    static func hash(_ data: UnsafeRawBufferPointer) -> Int32 {
        let length = data.count
        let seed: UInt32 = 0x9747_b28c
        let m: UInt32 = 0x5bd1_e995
        let r: UInt32 = 24
        var h: UInt32 = seed ^ UInt32(truncatingIfNeeded: length)
        let length4 = length / 4
        for i in 0..<length4 {
            let i4 = i * 4
            var k = UInt32(data[i4]) | UInt32(data[i4 + 1]) << 8 | UInt32(data[i4 + 2]) << 16 | UInt32(data[i4 + 3]) << 24
            k = k &* m
            k ^= k >> r
            k = k &* m
            h = h &* m
            h ^= k
        }
        let tail = length4 * 4
        switch length % 4 {
        case 3:
            h ^= UInt32(data[tail + 2]) << 16
            h ^= UInt32(data[tail + 1]) << 8
            h ^= UInt32(data[tail])
            h = h &* m
        case 2:
            h ^= UInt32(data[tail + 1]) << 8
            h ^= UInt32(data[tail])
            h = h &* m
        case 1:
            h ^= UInt32(data[tail])
            h = h &* m
        default:
            break
        }
        h ^= h >> 13
        h = h &* m
        h ^= h >> 15
        return Int32(bitPattern: h)
    }

    /// The partition Kafka's default partitioner picks for a non-null key.
    static func partition(forKey key: UnsafeRawBufferPointer, partitionCount: Int32) -> Int32 {
        (hash(key) & 0x7fff_ffff) % partitionCount
    }
}
