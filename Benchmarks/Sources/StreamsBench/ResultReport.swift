import Foundation

/// The table printed at the end of a run and the `--json` file.
struct ResultReport {
    let results: [RowResult]
    let header: [String: String]

    /// The table: one line per row, with its ratio to its limit row.
    func table() -> String {
        var lines: [String] = []
        lines.append(
            pad("row", 20) + lpad("input rec/s", 13) + lpad("MB/s", 8) + lpad("output rec/s", 14) + lpad("time s", 8)
                + lpad("start s", 8) + lpad("ratio", 7) + "  " + pad("limit row", 17) + lpad("p50 ms", 8) + lpad("p99 ms", 8)
                + lpad("peak RSS MB", 12) + lpad("start RSS MB", 13))
        for result in results {
            if let error = result.error {
                lines.append(pad(result.name, 20) + "FAILED: \(error)")
                continue
            }
            lines.append(
                pad(result.name, 20)
                    + lpad(String(format: "%.0f", result.recordsPerSecond), 13)
                    + lpad(String(format: "%.1f", result.megabytesPerSecond), 8)
                    + lpad(String(format: "%.0f", result.outputsPerSecond), 14)
                    + lpad(String(format: "%.2f", result.seconds), 8)
                    + lpad(String(format: "%.1f", result.startupSeconds), 8)
                    + lpad(result.ratio.map { String(format: "%.2f", $0) } ?? "-", 7) + "  "
                    + pad(result.limit ?? (result.memory == nil ? "(limit)" : "(memory check)"), 17)
                    + lpad(result.latency.map { String(format: "%.0f", $0.p50Ms) } ?? "-", 8)
                    + lpad(result.latency.map { String(format: "%.0f", $0.p99Ms) } ?? "-", 8)
                    + lpad(result.peakRSSBytes.map { String($0 / 1_000_000) } ?? "?", 12)
                    + lpad(result.startRSSBytes.map { String($0 / 1_000_000) } ?? "?", 13))
        }
        for result in results where result.error == nil {
            if let range = result.ratioRange {
                lines.append(
                    String(
                        format: "%@: median of %d rounds; ratios %.2f to %.2f (by round: %@)", result.name, result.rounds,
                        range.lowerBound, range.upperBound,
                        result.roundRatios.map { String(format: "%.2f", $0) }.joined(separator: ", ")))
            }
            if result.rounds > 1 {
                lines.append(
                    "\(result.name): input rec/s by round: "
                        + result.roundRates.map { String(format: "%.0f", $0) }.joined(separator: ", "))
            }
            if let cpu = result.cpuPerRecord {
                lines.append(
                    String(
                        format: "%@: CPU per input record%@: processing thread %.0f ns (%.0f ns of it in the kernel, %.2f page faults per 1000 records; and %.0f ns waiting for a CPU), librdkafka %.0f ns, embedded broker %.0f ns, other %.0f ns",
                        result.name, result.rounds > 1 ? " (median round)" : "", cpu.processing, cpu.processingSystem,
                        cpu.processingFaultsPerThousand, cpu.processingWait,
                        cpu.librdkafka, cpu.broker, cpu.other))
            }
            if result.rounds > 1, !result.roundCPU.isEmpty {
                lines.append(
                    "\(result.name): CPU ns per input record by round (processing thread [its kernel part] + its wait / librdkafka / embedded broker): "
                        + result.roundCPU.map {
                            String(
                                format: "%.0f[%.0f]+%.0f/%.0f/%.0f", $0.processing, $0.processingSystem, $0.processingWait,
                                $0.librdkafka, $0.broker)
                        }.joined(separator: ", "))
            }
            if let memory = result.memory {
                lines.append(
                    String(
                        format: "%@: application process peak RSS %.1f MiB <= %.0f MiB (state budget %.0f MiB + constant %.0f MiB); %.1f MiB before start, %d keys, %d partitions",
                        result.name, MemoryCheck.mib(memory.peakRSSBytes), MemoryCheck.mib(memory.limitBytes),
                        MemoryCheck.mib(memory.budgetBytes), MemoryCheck.mib(memory.constantBytes),
                        MemoryCheck.mib(memory.baselineRSSBytes), memory.keys, memory.partitions))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// `{"rows": [{"name", "recordsPerSecond", "ratio", "rssBytes", "p50LatencyMs", "p99LatencyMs", ...}], ...}`.
    func json() throws -> Data {
        struct Row: Encodable {
            let name: String
            let recordsPerSecond: Double
            let ratio: Double?
            let ratioMin: Double?
            let ratioMax: Double?
            let rounds: Int
            let rssBytes: Int?
            let limit: String?
            let megabytesPerSecond: Double
            let outputRecordsPerSecond: Double
            let seconds: Double
            let startupSeconds: Double
            let p50LatencyMs: Double?
            let p99LatencyMs: Double?
            let maxLatencyMs: Double?
            let latencySamples: Int?
            let memoryBudgetBytes: Int?
            let memoryLimitBytes: Int?
            let baselineRSSBytes: Int?
            /// CPU nanoseconds per input record of the row's processing thread (median round).
            let processingCPUNanosPerRecord: Double?
            let error: String?
        }
        struct Document: Encodable {
            let rows: [Row]
            let run: [String: String]
        }
        let rows = results.map {
            Row(
                name: $0.name, recordsPerSecond: $0.recordsPerSecond.rounded(), ratio: $0.ratio,
                ratioMin: $0.ratioRange?.lowerBound, ratioMax: $0.ratioRange?.upperBound, rounds: $0.rounds, rssBytes: $0.peakRSSBytes,
                limit: $0.limit, megabytesPerSecond: $0.megabytesPerSecond, outputRecordsPerSecond: $0.outputsPerSecond.rounded(),
                seconds: $0.seconds, startupSeconds: $0.startupSeconds, p50LatencyMs: $0.latency?.p50Ms,
                p99LatencyMs: $0.latency?.p99Ms, maxLatencyMs: $0.latency?.maxMs, latencySamples: $0.latency?.samples,
                memoryBudgetBytes: $0.memory?.budgetBytes, memoryLimitBytes: $0.memory?.limitBytes,
                baselineRSSBytes: $0.memory?.baselineRSSBytes,
                processingCPUNanosPerRecord: $0.cpuPerRecord.map { $0.processing.rounded() }, error: $0.error)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(Document(rows: rows, run: header))
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    private func lpad(_ text: String, _ width: Int) -> String {
        text.count >= width ? " " + text : String(repeating: " ", count: width - text.count) + text
    }
}
