/// The punctuations of one task, on stream time or wall-clock time.
///
/// Timing follows Kafka Streams: stream-time punctuations are aligned to 0 and fire as soon as
/// stream time is known; wall-clock ones first fire one interval after scheduling. A clock that
/// jumps past several intervals fires once, then realigns.
final class PunctuationSchedule {
    final class Entry {
        let interval: Int64
        var next: Int64
        let cancellable: Cancellable
        let callback: (Int64) throws -> Void
        let nodeName: String

        init(interval: Int64, next: Int64, nodeName: String, callback: @escaping (Int64) throws -> Void) {
            self.interval = interval
            self.next = next
            self.cancellable = Cancellable()
            self.callback = callback
            self.nodeName = nodeName
        }
    }

    private(set) var streamTime: [Entry] = []
    private(set) var wallClock: [Entry] = []
    /// The earliest time a stream-time punctuation is due (`Int64.max` without any): checked
    /// before every record, so that records before it touch no entry.
    private(set) var streamTimeDue = Int64.max

    var isEmpty: Bool { streamTime.isEmpty && wallClock.isEmpty }

    func add(_ entry: Entry, type: PunctuationType) {
        switch type {
        case .streamTime:
            streamTime.append(entry)
            streamTimeDue = min(streamTimeDue, entry.next)
        case .wallClockTime: wallClock.append(entry)
        }
    }

    /// Fires due punctuations of one type at `now`; returns whether any fired.
    @discardableResult
    func punctuate(_ type: PunctuationType, now: Int64, fire: (Entry, Int64) throws -> Void) throws -> Bool {
        // Called per record: when nothing is due or cancelled, touch nothing (filtering a copy of
        // the shared array would copy it every time).
        guard isDueOrCancelled(type == .streamTime ? streamTime : wallClock, now: now) else { return false }
        let scheduled = type == .streamTime ? streamTime : wallClock
        var entries = scheduled.filter { !$0.cancellable.isCancelled }
        var fired = false
        for entry in entries where entry.next <= now && !entry.cancellable.isCancelled {
            try fire(entry, now)
            fired = true
            var next = entry.next + entry.interval
            if now >= next {
                next = now - (now - entry.next) % entry.interval + entry.interval
            }
            entry.next = next
        }
        // Punctuators may schedule punctuations: ``add(_:type:)`` appended them meanwhile.
        let current = type == .streamTime ? streamTime : wallClock
        entries.append(contentsOf: current.dropFirst(scheduled.count))
        switch type {
        case .streamTime:
            streamTime = entries
            streamTimeDue = entries.lazy.map(\.next).min() ?? .max
        case .wallClockTime: wallClock = entries
        }
        return fired
    }

    private func isDueOrCancelled(_ entries: [Entry], now: Int64) -> Bool {
        for entry in entries where entry.next <= now || entry.cancellable.isCancelled { return true }
        return false
    }
}
