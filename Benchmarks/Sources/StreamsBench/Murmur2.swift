/// Kafka's murmur2 key hash (Java's `Utils.murmur2`, librdkafka's `murmur2_random` partitioner), to
/// compute where keyed records land when estimating per-partition log sizes.
enum Murmur2 {
    static func hash(_ data: some Collection<UInt8>) -> UInt32 {
        let bytes = Array(data)
        let m: UInt32 = 0x5BD1_E995
        var h: UInt32 = 0x9747_B28C ^ UInt32(truncatingIfNeeded: bytes.count)
        let whole = bytes.count / 4
        for block in 0..<whole {
            let i = block * 4
            var k = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
            k &*= m
            k ^= k >> 24
            k &*= m
            h &*= m
            h ^= k
        }
        let tail = whole * 4
        switch bytes.count % 4 {
        case 3:
            h ^= UInt32(bytes[tail + 2]) << 16
            h ^= UInt32(bytes[tail + 1]) << 8
            h ^= UInt32(bytes[tail])
            h &*= m
        case 2:
            h ^= UInt32(bytes[tail + 1]) << 8
            h ^= UInt32(bytes[tail])
            h &*= m
        case 1:
            h ^= UInt32(bytes[tail])
            h &*= m
        default:
            break
        }
        h ^= h >> 13
        h &*= m
        h ^= h >> 15
        return h
    }

    /// The partition the default partitioner picks for a non-null key.
    static func partition(of key: some Collection<UInt8>, partitions: Int) -> Int {
        Int(hash(key) & 0x7FFF_FFFF) % partitions
    }
}
