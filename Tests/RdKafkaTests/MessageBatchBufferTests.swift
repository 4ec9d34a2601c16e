@testable import RdKafka
import Testing

/// The reused array of message pointers behind `pollBatch`.
@Suite struct MessageBatchBufferTests {
    @Test func successiveBatchesReuseOneArrayAndGrowItWhenNeeded() throws {
        let buffer = MessageBatchBuffer()
        let first = try buffer.withPointers(count: 10) { pointers, _ in UnsafeRawPointer(pointers) }
        let second = try buffer.withPointers(count: 10) { pointers, _ in UnsafeRawPointer(pointers) }
        #expect(first == second)
        try buffer.withPointers(count: 1_000) { pointers, _ in
            // The whole requested range is writable.
            for index in 0..<1_000 { pointers[index] = nil }
        }
        let afterGrowth = try buffer.withPointers(count: 5) { pointers, _ in UnsafeRawPointer(pointers) }
        let again = try buffer.withPointers(count: 1_000) { pointers, _ in UnsafeRawPointer(pointers) }
        #expect(afterGrowth == again, "a smaller batch keeps the grown array")
    }

    @Test func aBatchWhileTheArrayIsInUseGetsItsOwn() throws {
        let buffer = MessageBatchBuffer()
        try buffer.withPointers(count: 4) { outer, _ in
            let inner = try buffer.withPointers(count: 4) { pointers, _ in UnsafeRawPointer(pointers) }
            #expect(inner != UnsafeRawPointer(outer))
        }
        struct Failure: Error {}
        #expect(throws: Failure.self) { try buffer.withPointers(count: 4) { _, _ in throw Failure() } }
        // Released after a throwing body too: the next batch gets the shared array again.
        let first = try buffer.withPointers(count: 4) { pointers, _ in UnsafeRawPointer(pointers) }
        let second = try buffer.withPointers(count: 4) { pointers, _ in UnsafeRawPointer(pointers) }
        #expect(first == second)
    }
}
