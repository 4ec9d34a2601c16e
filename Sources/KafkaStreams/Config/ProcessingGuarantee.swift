/// What the runtime promises about each input record's effect on outputs and state.
public enum ProcessingGuarantee: String, Sendable, Hashable {
    /// Every record is processed at least once; after a crash, records since the last commit are
    /// processed again.
    case atLeastOnce = "at_least_once"
    /// Exactly-once v2: one transactional producer per stream thread; outputs, changelogs and
    /// consumer offsets commit together.
    case exactlyOnceV2 = "exactly_once_v2"
}
