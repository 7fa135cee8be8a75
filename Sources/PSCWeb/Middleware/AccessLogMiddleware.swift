import Foundation
import Hummingbird
import Logging
import PSCCore

/// One JSON line per request on standard output: time, request id, method, path, route, status, duration.
/// Query strings are left out: they can carry search terms and tokens.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let sink: AccessLogSink

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let micros = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        sink.write(
            time: Date(), requestID: context.requestID, method: request.method.rawValue, path: request.uri.path,
            route: context.endpointPath ?? "", status: response.status.code, microseconds: micros,
            remote: context.remoteAddress
        )
        return response
    }
}

/// Where access log lines go; silent in tests that do not want them.
public struct AccessLogSink: Sendable {
    let enabled: Bool

    public init(enabled: Bool) { self.enabled = enabled }

    func write(time: Date, requestID: String, method: String, path: String, route: String, status: Int,
               microseconds: Int64, remote: String?) {
        guard enabled else { return }
        var line: [String: JSONValue] = [
            "ts": .string(Timestamp.string(from: time)), "type": "access", "request_id": .string(requestID),
            "method": .string(method), "path": .string(path), "route": .string(route), "status": .int(Int64(status)),
            "duration_us": .int(microseconds),
        ]
        if let remote { line["remote"] = .string(remote) }
        FileHandle.standardOutput.write(Data((JSONValue.object(line).canonicalText + "\n").utf8))
    }
}
