import Testing
@testable import RdKafka
