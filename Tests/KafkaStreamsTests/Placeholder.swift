import Testing
@testable import KafkaStreams
