extension KGroupedStream {
    /// Aggregates per key and fixed-size window: tumbling or hopping ``TimeWindows``.
    ///
    /// ```swift
    /// builder.stream("page-views", consumed: .with(key: .string, value: .string))
    ///     .groupByKey()
    ///     .windowedBy(TimeWindows.ofSizeAndGrace(.seconds(60), .seconds(10)))
    ///     .count()                                        // KTable<Windowed<String>, Int64>
    /// ```
    public func windowedBy(_ windows: TimeWindows) -> TimeWindowedKStream<Key, Value> {
        TimeWindowedKStream(grouped: self, windows: .time(windows), emitStrategy: .onWindowUpdate)
    }

    /// Aggregates per key and sliding window: the records within a time difference of each other.
    public func windowedBy(_ windows: SlidingWindows) -> TimeWindowedKStream<Key, Value> {
        TimeWindowedKStream(grouped: self, windows: .sliding(windows), emitStrategy: .onWindowUpdate)
    }

    /// Aggregates per key and session: runs of records separated by less than an inactivity gap.
    public func windowedBy(_ windows: SessionWindows) -> SessionWindowedKStream<Key, Value> {
        SessionWindowedKStream(grouped: self, windows: windows, emitStrategy: .onWindowUpdate)
    }

    /// The node windowed aggregations read from: the grouped stream's node, or the source of a
    /// repartition topic named after the grouping or the store when keys may have changed.
    func aggregationSource<M>(node: String, storeName: String, materialized: Materialized<Key, M>) -> String {
        guard repartitionRequired else { return parent }
        return builder.repartition(
            from: parent, topic: "\(repartitionName ?? storeName)-repartition",
            key: builder.serde(keySerde, materialized.keySerde, node: node),
            value: builder.serde(valueSerde, node: node))
    }
}
