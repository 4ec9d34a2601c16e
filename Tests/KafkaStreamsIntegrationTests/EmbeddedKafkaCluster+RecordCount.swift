import Foundation
import KafkaStreamsTesting
import RdKafka

extension EmbeddedKafkaCluster {
    /// The records `topic` holds now, from its partitions' offsets, without reading them (the
    /// mock never deletes or compacts).
    func recordCount(_ topic: String) throws -> Int {
        let consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(bootstrapServers: bootstrapServers, ["group.id": "offsets-\(UUID())"]))
        defer { consumer.close() }
        var total = 0
        for partition in 0..<Int32(try consumer.partitionCount(topic: topic, timeout: .seconds(10))) {
            let (low, high) = try consumer.watermarkOffsets(topic: topic, partition: partition, timeout: .seconds(10))
            total += Int(high - low)
        }
        return total
    }
}
