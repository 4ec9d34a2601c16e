/// A small deterministic generator (SplitMix64): the same seed gives the same input and the same
/// kill schedule on every machine.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The known input: lines of words from a fixed vocabulary, and the counts they must produce.
struct CrashInput {
    /// 300 words made of syllables: letters only, lowercase, so the word count keeps them as they are.
    static let vocabulary: [String] = {
        let syllables = ["ba", "ke", "di", "lo", "mu", "na", "pi", "ro", "su", "ti", "va", "zo"]
        var words: [String] = []
        for a in syllables { for b in syllables { words.append(a + b) } }
        outer: for a in syllables {
            for b in syllables {
                for c in syllables {
                    if words.count == 300 { break outer }
                    words.append(a + b + c)
                }
            }
        }
        return words
    }()

    let lines: [String]
    let reference: [String: Int64]

    /// `count` lines of 3 to 15 words each; words are skewed towards the start of the vocabulary
    /// (a few hot words with large counts, many rare ones).
    init(lines count: Int, seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        var lines: [String] = []
        var reference: [String: Int64] = [:]
        lines.reserveCapacity(count)
        for _ in 0..<count {
            let length = Int.random(in: 3...15, using: &generator)
            var words: [String] = []
            for _ in 0..<length {
                let u = Double.random(in: 0..<1, using: &generator)
                let word = Self.vocabulary[min(Self.vocabulary.count - 1, Int(u * u * u * Double(Self.vocabulary.count)))]
                words.append(word)
                reference[word, default: 0] += 1
            }
            lines.append(words.joined(separator: " "))
        }
        self.lines = lines
        self.reference = reference
    }

    var totalWords: Int64 { reference.values.reduce(0, +) }
}
