import Testing
@testable import RocksDB
