extension Serde {
    /// The repartition-topic format of a table change:
    /// `[flags: 1 byte, bit 0 = new present, bit 1 = old present][new length: 4 bytes BE][new][old]`.
    static func change<Inner>(_ inner: Serde<Inner>) -> Serde<Change<Inner>> where Value == Change<Inner> {
        let name = "change(\(inner.name))"
        return Serde<Change<Inner>>(
            name: name,
            serialize: { change, buffer in
                let start = buffer.count
                buffer.append(0)
                appendBigEndian(UInt32(0), to: &buffer)
                var flags: UInt8 = 0
                if let newValue = change.newValue, try inner.serializeInto(newValue, &buffer) {
                    flags |= 1
                }
                let newLength = UInt32(buffer.count - start - 5)
                withUnsafeBytes(of: newLength.bigEndian) { length in
                    for i in 0..<4 { buffer[start + 1 + i] = length[i] }
                }
                if let oldValue = change.oldValue, try inner.serializeInto(oldValue, &buffer) {
                    flags |= 2
                }
                buffer[start] = flags
            },
            deserialize: { bytes in
                guard bytes.count >= 5 else {
                    throw SerdeError(kind: .invalidData, serde: name, message: "\(bytes.count) bytes is too short")
                }
                let flags = bytes[0]
                let newLength = Int(UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: 1, as: UInt32.self)))
                guard 5 + newLength <= bytes.count else {
                    throw SerdeError(kind: .invalidData, serde: name, message: "new value length \(newLength) overruns")
                }
                let newBytes = UnsafeRawBufferPointer(rebasing: bytes[5..<(5 + newLength)])
                let oldBytes = UnsafeRawBufferPointer(rebasing: bytes[(5 + newLength)...])
                return Change(
                    newValue: flags & 1 != 0 ? try inner.deserialize(newBytes) : nil,
                    oldValue: flags & 2 != 0 ? try inner.deserialize(oldBytes) : nil)
            })
    }
}
