import RdKafka

/// How an exactly-once transaction failed, which decides what the stream thread does next.
enum TransactionFailure: Error, CustomStringConvertible {
    /// The transaction must be aborted; the thread rolls its tasks back to the last commit and
    /// goes on.
    case abortable(KafkaError)
    /// Another producer with the same `transactional.id` took over: this thread's tasks are
    /// lost; it closes them dirty, replaces its producer and rejoins the group.
    case fenced(KafkaError)
    /// The producer cannot go on: the thread fails.
    case fatal(KafkaError)

    init(_ error: KafkaError) {
        if error.isFenced {
            self = .fenced(error)
        } else if error.isFatal {
            self = .fatal(error)
        } else {
            self = .abortable(error)
        }
    }

    var description: String {
        switch self {
        case .abortable(let error): "abortable transaction error: \(error)"
        case .fenced(let error): "producer fenced: \(error)"
        case .fatal(let error): "fatal transaction error: \(error)"
        }
    }
}
