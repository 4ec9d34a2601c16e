/// MurmurHash3 x64 128-bit with Kafka Streams' seed, as its `Murmur3.hash128`: foreign-key
/// joins hash the primary table's serialized value with it, so that responses for a value that
/// has changed since are recognised and dropped.
enum Murmur3 {
    static let defaultSeed: UInt64 = 104_729

    /// The two 64-bit halves, as Kafka Streams' `long[2]`.
    static func hash128<Bytes: RandomAccessCollection<UInt8>>(_ data: Bytes, seed: UInt64 = defaultSeed) -> (UInt64, UInt64)
    where Bytes.Index == Int {
        let c1: UInt64 = 0x87c3_7b91_1142_53d5
        let c2: UInt64 = 0x4cf5_ad43_2745_937f
        var h1 = seed
        var h2 = seed
        let start = data.startIndex
        let length = data.count
        func word(_ offset: Int) -> UInt64 {
            var value: UInt64 = 0
            for i in 0..<8 { value |= UInt64(data[start + offset + i]) << (8 * UInt64(i)) }
            return value
        }
        let blocks = length / 16
        for block in 0..<blocks {
            var k1 = word(block * 16)
            var k2 = word(block * 16 + 8)
            k1 = k1 &* c1
            k1 = rotateLeft(k1, 31)
            k1 = k1 &* c2
            h1 ^= k1
            h1 = rotateLeft(h1, 27)
            h1 = h1 &+ h2
            h1 = h1 &* 5 &+ 0x52dc_e729
            k2 = k2 &* c2
            k2 = rotateLeft(k2, 33)
            k2 = k2 &* c1
            h2 ^= k2
            h2 = rotateLeft(h2, 31)
            h2 = h2 &+ h1
            h2 = h2 &* 5 &+ 0x3849_5ab5
        }
        let tail = blocks * 16
        let remaining = length - tail
        var k1: UInt64 = 0
        var k2: UInt64 = 0
        if remaining > 8 {
            for i in stride(from: remaining - 1, through: 8, by: -1) {
                k2 ^= UInt64(data[start + tail + i]) << (8 * UInt64(i - 8))
            }
            k2 = k2 &* c2
            k2 = rotateLeft(k2, 33)
            k2 = k2 &* c1
            h2 ^= k2
        }
        if remaining > 0 {
            for i in stride(from: min(remaining, 8) - 1, through: 0, by: -1) {
                k1 ^= UInt64(data[start + tail + i]) << (8 * UInt64(i))
            }
            k1 = k1 &* c1
            k1 = rotateLeft(k1, 31)
            k1 = k1 &* c2
            h1 ^= k1
        }
        h1 ^= UInt64(length)
        h2 ^= UInt64(length)
        h1 = h1 &+ h2
        h2 = h2 &+ h1
        h1 = fmix64(h1)
        h2 = fmix64(h2)
        h1 = h1 &+ h2
        h2 = h2 &+ h1
        return (h1, h2)
    }

    private static func rotateLeft(_ value: UInt64, _ distance: UInt64) -> UInt64 {
        (value << distance) | (value >> (64 - distance))
    }

    private static func fmix64(_ value: UInt64) -> UInt64 {
        var h = value
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h = h &* 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return h
    }
}
