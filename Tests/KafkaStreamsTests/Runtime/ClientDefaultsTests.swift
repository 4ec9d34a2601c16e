import Testing

@testable import KafkaStreams

@Suite struct ClientDefaultsTests {
    @Test func exactlyOnceProducersLingerAsKafkaStreamsDoes() {
        var config = StreamsConfig(applicationID: "app", bootstrapServers: "localhost:9092")
        #expect(ClientDefaults.producer(config, clientID: "p")["linger.ms"] == "5")
        config.processingGuarantee = .exactlyOnceV2
        let transactional = ClientDefaults.producer(config, clientID: "p", transactionalID: "app-1-0")
        #expect(transactional["linger.ms"] == "100")
        #expect(transactional["transactional.id"] == "app-1-0")
        #expect(transactional["enable.idempotence"] == "true")
        config.producerProperties = ["linger.ms": "7", "enable.idempotence": "false"]
        let overridden = ClientDefaults.producer(config, clientID: "p", transactionalID: "app-1-0")
        #expect(overridden["linger.ms"] == "7", "the user's setting wins")
        #expect(overridden["enable.idempotence"] == "true", "transactions need idempotence")
    }

    @Test func exactlyOnceConsumersReadCommitted() {
        var config = StreamsConfig(applicationID: "app", bootstrapServers: "localhost:9092")
        #expect(ClientDefaults.consumer(config, clientID: "c")["isolation.level"] == nil)
        config.processingGuarantee = .exactlyOnceV2
        #expect(ClientDefaults.consumer(config, clientID: "c")["isolation.level"] == "read_committed")
    }
}
