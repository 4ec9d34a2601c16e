import Logging

/// Maps syslog levels, as librdkafka uses them, to swift-log levels.
extension Logger.Level {
    init(syslogLevel: Int32) {
        switch syslogLevel {
        case ...2: self = .critical
        case 3: self = .error
        case 4: self = .warning
        case 5: self = .notice
        case 6: self = .info
        default: self = .debug
        }
    }
}
