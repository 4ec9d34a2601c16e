/// An error thrown while a node processed a record, with the node's name.
///
/// Forwarders wrap what a child throws (the innermost node wins); the source node, or the
/// punctuation that started the work, unwraps it and records the node in the task context, so
/// that the processing handler and ``StreamsError/processing(node:taskID:message:)`` name the
/// node that failed. Nothing is done per record unless something throws.
struct NodeFailure: Error, CustomStringConvertible {
    let node: String
    let underlying: any Error

    var description: String { "\(underlying)" }

    /// Runs `body`, recording in `task` which node failed if it throws, and rethrows the
    /// original error.
    @inline(__always)
    static func unwrapping<T>(into task: TaskContext, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let failure as NodeFailure {
            task.currentNode = failure.node
            throw failure.underlying
        }
    }
}
