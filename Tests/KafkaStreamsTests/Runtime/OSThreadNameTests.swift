import Foundation
import Synchronization
import Testing

@testable import KafkaStreams

/// The names the library gives its threads for the operating system.
@Suite struct OSThreadNameTests {
    /// Runs `body` on a new thread and returns what it returns.
    private func onNewThread(_ body: @escaping @Sendable () -> String?) -> String? {
        let result = ResultBox()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            let value = body()
            result.value.withLock { $0 = value }
            done.signal()
        }
        thread.start()
        done.wait()
        return result.value.withLock { $0 }
    }

    /// The OS name a new thread has after naming itself `name`.
    private func nameAfterSetting(_ name: String) -> String? {
        onNewThread {
            OSThreadName.setCurrent(name)
            return OSThreadName.current()
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/thread-self/comm")))
    func aShortNameIsKeptWhole() {
        #expect(nameAfterSetting("StreamThread-3") == "StreamThread-3")
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/thread-self/comm")))
    func aLongNameIsCutToFifteenBytesAtACharacterBoundary() {
        #expect(nameAfterSetting("StreamThread-123456") == "StreamThread-12")
        // "é" is two bytes: fourteen ASCII bytes and it would make sixteen, so it is left out.
        #expect(nameAfterSetting("abcdefghijklmné") == "abcdefghijklmn")
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/thread-self/comm")))
    func namingOneThreadLeavesTheOthersAlone() {
        let before = OSThreadName.current()
        _ = onNewThread {
            OSThreadName.setCurrent("GlobalThread")
            return nil
        }
        #expect(OSThreadName.current() == before)
    }
}

/// A value handed from the named thread to the test.
private final class ResultBox: Sendable {
    let value = Mutex<String?>(nil)
}
