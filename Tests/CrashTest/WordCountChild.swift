import Foundation
import Synchronization

/// The pid of the running child, for the signal handler that kills it when the harness is stopped.
let runningChildPID = Atomic<Int32>(0)

/// Makes SIGINT and SIGTERM (Ctrl-C, `timeout`) kill the child before the harness exits, so that no
/// word count is left running against the broker.
func killChildOnTermination() {
    signal(SIGINT, killChildAndExit)
    signal(SIGTERM, killChildAndExit)
}

private func killChildAndExit(_ received: Int32) {
    let pid = runningChildPID.load(ordering: .relaxed)
    if pid > 0 { kill(pid, SIGKILL) }
    _exit(128 + received)
}

/// One run of the `wordcount` executable, with its stdout and stderr in files of the log directory.
final class WordCountChild {
    let run: Int
    let stdoutPath: String
    let stderrPath: String
    private let process = Process()

    init(executable: String, arguments: [String], logDirectory: String, run: Int) throws {
        self.run = run
        stdoutPath = "\(logDirectory)/run-\(run).stdout"
        stderrPath = "\(logDirectory)/run-\(run).stderr"
        for path in [stdoutPath, stderrPath] {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw CrashTestFailure("cannot create \(path)")
            }
        }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()
        runningChildPID.store(process.processIdentifier, ordering: .relaxed)
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    /// The child's stderr so far, as lines.
    func stderrLines() -> [String] {
        let text = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    /// The last lines of stderr, for failure messages.
    func stderrTail(_ count: Int = 15) -> String {
        stderrLines().suffix(count).map { "    \($0)" }.joined(separator: "\n")
    }

    func stdout() -> String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }

    /// How the child ended, once it has.
    var exitDescription: String {
        if process.isRunning { return "running" }
        switch process.terminationReason {
        case .uncaughtSignal: return "killed by signal \(process.terminationStatus)"
        case .exit: return "exit status \(process.terminationStatus)"
        @unknown default: return "ended (\(process.terminationStatus))"
        }
    }

    var exitedCleanly: Bool {
        !process.isRunning && process.terminationReason == .exit && process.terminationStatus == 0
    }

    func signal(_ signalNumber: Int32) {
        if process.isRunning { kill(process.processIdentifier, signalNumber) }
    }

    /// Waits until the child has exited; false when it is still running after `timeout`.
    func waitForExit(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        if process.isRunning { return false }
        process.waitUntilExit()
        runningChildPID.store(0, ordering: .relaxed)
        return true
    }

    /// SIGKILL, then waits for the exit.
    func killNow() throws {
        signal(SIGKILL)
        guard waitForExit(timeout: .seconds(10)) else {
            throw CrashTestFailure("run \(run): pid \(pid) survived SIGKILL for 10 s")
        }
    }
}

/// A failed check or step of the crash test.
struct CrashTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Writes a line to stdout at once (print's stdout is block-buffered when piped to tee).
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
