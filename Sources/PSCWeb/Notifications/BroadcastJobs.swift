import Foundation
import PSCCore
import PSCJobs
import PSCStore

/// The fan-out job of a broadcast (NTF-16/17, announcements): one per chunk of 500 recipients, unique per
/// `broadcast:<id>:<chunk>` so a retried chunk never duplicates (its handler lives with the composition root).
public enum BroadcastJobs {
    public static let kind = BroadcastStore.jobKind

    public static func request(_ chunk: BroadcastStore.Chunk) throws -> JobRequest {
        try JobRequest(
            kind: kind, queue: "default", payload: chunk, priority: 1, maxAttempts: 5,
            uniqueKey: chunk.uniqueKey)
    }
}
