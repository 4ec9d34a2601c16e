import RdKafka
import Testing

@Suite("Configuration and errors")
struct ConfigurationTests {
    static func expectConfigurationError(key: String, _ make: () throws -> Void) {
        #expect {
            try make()
        } throws: { error in
            guard let error = error as? KafkaError else { return false }
            return error.kind == .configuration && error.configurationKey == key
                && error.message.contains(key) && error.description.contains(key)
        }
    }

    @Test("an unknown key is rejected at construction of every client, naming the key")
    func unknownKey() {
        let configuration: KafkaConfiguration = ["bootstrap.servers": "127.0.0.1:1", "group.id": "g", "no.such.property": "1"]
        Self.expectConfigurationError(key: "no.such.property") { _ = try KafkaProducer(configuration: configuration, logger: testLogger) }
        Self.expectConfigurationError(key: "no.such.property") { _ = try KafkaConsumer(configuration: configuration, logger: testLogger) }
        Self.expectConfigurationError(key: "no.such.property") { _ = try KafkaAdmin(configuration: configuration, logger: testLogger) }
    }

    @Test("an invalid value is rejected at construction, naming the key")
    func invalidValue() {
        let configuration: KafkaConfiguration = ["bootstrap.servers": "127.0.0.1:1", "group.id": "g", "message.timeout.ms": "soon"]
        Self.expectConfigurationError(key: "message.timeout.ms") { _ = try KafkaProducer(configuration: configuration, logger: testLogger) }
        Self.expectConfigurationError(key: "auto.offset.reset") {
            _ = try KafkaConsumer(configuration: ["group.id": "g", "auto.offset.reset": "sideways"], logger: testLogger)
        }
        Self.expectConfigurationError(key: "socket.timeout.ms") {
            _ = try KafkaAdmin(configuration: ["socket.timeout.ms": "-5"], logger: testLogger)
        }
    }

    @Test("idempotence is on by default, and its conflicts say how to opt out")
    func idempotenceDefault() throws {
        let producer = try KafkaProducer(configuration: ["bootstrap.servers": "127.0.0.1:1"], logger: testLogger)
        #expect(producer.configuration["enable.idempotence"] == "true")
        let optedOut = try KafkaProducer(configuration: ["enable.idempotence": "false", "acks": "1"], logger: testLogger)
        #expect(optedOut.configuration["enable.idempotence"] == "false")
        #expect {
            _ = try KafkaProducer(configuration: ["acks": "1"], logger: testLogger)
        } throws: { error in
            guard let error = error as? KafkaError else { return false }
            return error.kind == .configuration && error.message.contains("enable.idempotence")
        }
    }

    @Test("configuration values")
    func configurationValue() {
        var configuration = KafkaConfiguration(bootstrapServers: "a:1", ["sasl.password": "hunter2"])
        configuration["group.id"] = "g"
        #expect(configuration.bootstrapServers == "a:1")
        #expect(configuration.properties == ["bootstrap.servers": "a:1", "group.id": "g", "sasl.password": "hunter2"])
        #expect(!configuration.description.contains("hunter2"))
        configuration["group.id"] = nil
        #expect(configuration["group.id"] == nil)
        #expect(configuration.merging(["acks": "all"])["acks"] == "all")
    }

    @Test("error codes, names and matching")
    func errors() {
        let error = KafkaError(code: .producerFenced, message: "fenced", isFatal: true)
        #expect(error.code == 90)
        #expect(error.errorCode == .producerFenced)
        #expect(error.errorCode.name == "PRODUCER_FENCED")
        #expect(error.isFenced)
        #expect(error.description.contains("PRODUCER_FENCED"))
        #expect(error.description.contains("fatal"))
        #expect(KafkaError.Code.timedOut.name == "_TIMED_OUT")
        switch error {
        case KafkaError.Code.producerFenced: break
        default: Issue.record("pattern match on the code failed")
        }
        #expect(!LibRdKafka.version.isEmpty)
        #expect(LibRdKafka.versionNumber >= 0x0200_0000)
    }
}
