import Foundation
import PSCCore
import PSCJobs
import PSCStore

/// ANL-3's background exports: a CSV of more than 10,000 rows is built by a job on the default queue.
public enum AnalyticsJobs {
    public static let exportKind = "analytics_export"

    public struct ExportPayload: Codable, Sendable {
        public let exportID: Int64
        public let request: AnalyticsExports.Request
        enum CodingKeys: String, CodingKey {
            case exportID = "export_id"
            case request
        }
    }

    static func exportRequest(exportID: Int64, request: AnalyticsExports.Request) throws -> JobRequest {
        try JobRequest(
            kind: exportKind, queue: "default", payload: ExportPayload(exportID: exportID, request: request), maxAttempts: 3,
            uniqueKey: "export:\(exportID)")
    }

    public static func exportHandler(exports: AnalyticsExports) -> JobHandler {
        JobHandler(kind: exportKind, lease: .seconds(600), timeout: .seconds(540)) { job in
            let payload = try job.decodePayload(ExportPayload.self)
            do {
                try await Offload.background { try exports.build(exportID: payload.exportID, request: payload.request) }
            } catch {
                if job.attempts >= job.maxAttempts {
                    try? await Offload.background { try exports.failed(exportID: payload.exportID, error: String(describing: error)) }
                }
                throw error
            }
        }
    }
}
