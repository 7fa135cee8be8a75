import Foundation
import Hummingbird
import PSCCore
import PSCStore
import Synchronization

/// Writes an `authz.denied` audit record (20-services §4.7) when a signed-in caller is refused with 403, at most one
/// per user, route and minute, so a client retrying in a loop cannot flood the log. It runs inside the session
/// middleware, where the caller is known; the refusal itself still reaches the client unchanged.
struct DeniedAuditMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let records: SecurityRecordStore
    let recent: RecentDenials

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let refusal = (error as? APIError) ?? (error as? any APIErrorConvertible)?.apiError
            if let refusal, refusal.status == .forbidden, let identity = context.identity {
                let route = context.endpointPath ?? request.uri.path
                if recent.admit(userID: identity.user.id, route: route, now: Date()) {
                    await record(refusal, route: route, request: request, context: context)
                }
            }
            throw error
        }
    }

    private func record(_ refusal: APIError, route: String, request: Request, context: Context) async {
        var entry = context.auditEntry(
            "authz.denied", target: ("route", nil), details: ["code": .string(refusal.code)], severity: .warning)
        entry.targetID = "\(request.method.rawValue) \(route)"
        entry.userAgent = request.headers[.userAgent]
        entry.outcome = .failure
        do {
            try await Offload.run { [entry, records] in try records.append(entry) }
        } catch {
            // The refusal stands whether or not its record could be written; the failure is logged, not shown.
            context.logger.error("authz.denied audit record not written", metadata: ["error": "\(error)"])
        }
    }
}

/// The (user, route) pairs refused in the last minute.
final class RecentDenials: Sendable {
    private let seen = Mutex<[String: Date]>([:])
    let window: TimeInterval

    init(window: TimeInterval = 60) { self.window = window }

    /// True when this pair has no record in the window, and notes it.
    func admit(userID: Int64, route: String, now: Date) -> Bool {
        let key = "\(userID) \(route)"
        return seen.withLock { seen in
            if let last = seen[key], now.timeIntervalSince(last) < window { return false }
            // Pairs older than the window say nothing any more; drop them before the table grows.
            if seen.count >= 10_000 { seen = seen.filter { now.timeIntervalSince($0.value) < window } }
            seen[key] = now
            return true
        }
    }
}
