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

    func write(
        time: Date, requestID: String, method: String, path: String, route: String, status: Int,
        microseconds: Int64, remote: String?
    ) {
        guard enabled else { return }
        // Built by hand rather than through JSONValue: this runs on every request. Only the path and the remote
        // address come from outside, and both are escaped.
        var line = #"{"duration_us":"# + String(microseconds) + #","method":""# + JSONValue.escaped(method)
        line += #"","path":""# + JSONValue.escaped(path) + #"""#
        if let remote { line += #","remote":""# + JSONValue.escaped(remote) + #"""# }
        line += #","request_id":""# + requestID + #"","route":""# + JSONValue.escaped(route)
        line += #"","status":"# + String(status) + #","ts":""# + Timestamp.string(from: time) + #"","type":"access"}"#
        line += "\n"
        line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(STDOUT_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
