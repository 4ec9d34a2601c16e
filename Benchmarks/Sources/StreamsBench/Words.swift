/// The word splitter of every word-count row, hand-written or DSL, so that both do the same user
/// work: the input is lowercase ASCII words separated by single spaces.
enum Words {
    static func split(_ line: String) -> [String] {
        line.utf8.split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
    }
}
