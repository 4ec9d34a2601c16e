extension RowResult {
    /// One row's result over repeated rounds: the round with the median throughput, with the
    /// median of the rounds' ratios (each round's ratio compares the row with its limit row of the
    /// same round) and their range. A failed round fails the row.
    static func combining(_ rounds: [RowResult]) -> RowResult {
        guard var combined = rounds.first else { preconditionFailure("no rounds") }
        guard rounds.count > 1 else { return combined }
        if let failed = rounds.first(where: { $0.error != nil }) { return failed }
        let byThroughput = rounds.sorted { $0.recordsPerSecond < $1.recordsPerSecond }
        combined = byThroughput[byThroughput.count / 2]
        combined.rounds = rounds.count
        combined.roundRates = rounds.map(\.recordsPerSecond)
        if rounds.allSatisfy({ $0.cpuPerRecord != nil }) {
            combined.roundCPU = rounds.compactMap(\.cpuPerRecord)
        }
        let inRoundOrder = rounds.compactMap(\.ratio)
        let ratios = inRoundOrder.sorted()
        if combined.limit != nil, ratios.count == rounds.count, let lowest = ratios.first, let highest = ratios.last {
            combined.ratio = median(ratios)
            combined.ratioRange = lowest...highest
            combined.roundRatios = inRoundOrder
        }
        return combined
    }

    private static func median(_ sorted: [Double]) -> Double {
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
