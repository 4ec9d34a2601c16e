extension String {
    /// Decodes a NUL-terminated C string held in a fixed-size buffer (librdkafka's `errstr`).
    init(nativeBuffer buffer: [CChar]) {
        self = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
