import Testing

@testable import RocksDB

@Suite struct RocksDBErrorTests {
    @Test(arguments: [
        ("IO error: While lock file: /x/LOCK: Resource temporarily unavailable", RocksDBError.Code.ioError),
        ("Invalid argument: /x: does not exist (create_if_missing is false)", .invalidArgument),
        ("Corruption: bad block", .corruption),
        ("Not implemented: nope", .notSupported),
        ("Resource busy: ", .busy),
        ("Something else", .other),
    ])
    func classifiesRocksDBStatus(message: String, code: RocksDBError.Code) {
        let error = RocksDBError(statusMessage: message)
        #expect(error.code == code)
        #expect(error.message == message)
        #expect(error.description.contains(message))
        #expect(error.description.contains(code.description))
    }
}
