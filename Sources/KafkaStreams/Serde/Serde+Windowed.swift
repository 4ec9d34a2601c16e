extension Serde {
    /// Time-windowed keys as Kafka Streams writes them: `[key][window start: 8 bytes big-endian]`
    /// (`TimeWindowedSerde`). The window end is not written; reading gives `start + size`.
    ///
    /// ```swift
    /// counts.toStream().to("clicks-per-minute", produced: .with(key: .timeWindowed(.string, size: .seconds(60)), value: .int64))
    /// ```
    public static func timeWindowed<Key>(_ key: Serde<Key>, size: Duration) -> Serde<Windowed<Key>>
    where Value == Windowed<Key> {
        let name = "timeWindowed(\(key.name))"
        let size = size.milliseconds
        return Serde(
            name: name,
            serializeNullable: { windowed, buffer in
                guard try key.serializeInto(windowed.key, &buffer) else { return false }
                appendBigEndian(windowed.window.start, to: &buffer)
                return true
            },
            deserializeNullable: { bytes in
                guard let bytes else { throw SerdeError.unexpectedNull(serde: name) }
                guard bytes.count >= 8 else { throw SerdeError.wrongSize(serde: name, expected: 8, actual: bytes.count) }
                let start = loadBigEndianInt64(bytes, at: bytes.count - 8)
                return Windowed(
                    key: try key.deserialize(UnsafeRawBufferPointer(rebasing: bytes.dropLast(8))),
                    window: TimeWindow.starting(at: start, size: size))
            })
    }

    /// Session-windowed keys as Kafka Streams writes them:
    /// `[key][session end: 8 bytes big-endian][session start: 8 bytes BE]` (`SessionWindowedSerde`).
    public static func sessionWindowed<Key>(_ key: Serde<Key>) -> Serde<Windowed<Key>> where Value == Windowed<Key> {
        let name = "sessionWindowed(\(key.name))"
        return Serde(
            name: name,
            serializeNullable: { windowed, buffer in
                guard try key.serializeInto(windowed.key, &buffer) else { return false }
                appendBigEndian(windowed.window.end, to: &buffer)
                appendBigEndian(windowed.window.start, to: &buffer)
                return true
            },
            deserializeNullable: { bytes in
                guard let bytes else { throw SerdeError.unexpectedNull(serde: name) }
                guard bytes.count >= 16 else { throw SerdeError.wrongSize(serde: name, expected: 16, actual: bytes.count) }
                return Windowed(
                    key: try key.deserialize(UnsafeRawBufferPointer(rebasing: bytes.dropLast(16))),
                    window: TimeWindow(
                        start: loadBigEndianInt64(bytes, at: bytes.count - 8),
                        end: loadBigEndianInt64(bytes, at: bytes.count - 16)))
            })
    }
}
