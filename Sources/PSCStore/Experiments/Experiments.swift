import Foundation

/// Feature flags and A/B tests, opened together on one database.
public struct Experiments: Sendable {
    public let flags: FeatureFlagStore
    public let abTests: ABTestStore

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) throws {
        flags = try FeatureFlagStore(store: store, clock: clock)
        abTests = ABTestStore(store: store, clock: clock)
    }
}
