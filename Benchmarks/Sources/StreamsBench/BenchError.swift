/// Why a row or the setup failed; the message says what was expected and what was seen.
struct BenchError: Error, CustomStringConvertible {
    let message: String

    init(_ message: String) { self.message = message }

    var description: String { message }
}
