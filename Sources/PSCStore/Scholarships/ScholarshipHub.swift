import Foundation
import PSCCore

/// The scholarship stores, built together because applying reads matches and uploads, and the catalogue queues
/// matching (ARCHITECTURE §7: one place per layer, passed explicitly).
public struct ScholarshipHub: Sendable {
    public let catalogue: ScholarshipStore
    public let matches: ScholarshipMatchStore
    public let applications: ScholarshipApplicationStore
    public let reviews: ScholarshipReviewStore

    public init(
        store: Store, keyRing: KeyRing, uploads: UploadStore, matching: MatchScheduling, clock: @escaping @Sendable () -> Date = Date.init
    ) {
        catalogue = ScholarshipStore(store: store, matching: matching, clock: clock)
        matches = ScholarshipMatchStore(store: store, keyRing: keyRing, clock: clock)
        applications = ScholarshipApplicationStore(store: store, matches: matches, uploads: uploads, clock: clock)
        reviews = ScholarshipReviewStore(store: store, clock: clock)
    }
}
