import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PSCCore

/// Maps every error to what the client may see: the JSON envelope under `/api`, a branded page elsewhere
/// (00-conventions §5, 50-ui §1.5). Unexpected errors are logged in full under the request id and counted; the
/// client sees only `internal`.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let catalog: RouteCatalog
    let pages: PageRenderer
    let metrics: PlatformMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let signedIn as SignedInError {
            var context = context
            context.identity = signedIn.identity
            return map(signedIn.underlying, request, context)
        } catch {
            return map(error, request, context)
        }
    }

    /// The status an error will be answered with, for those that record it before this middleware maps it.
    static func status(of error: any Error) -> Int {
        switch error {
        case let error as SignedInError: status(of: error.underlying)
        case let error as APIError: Int(error.status.code)
        case let error as any APIErrorConvertible: Int(error.apiError.status.code)
        case let error as any HTTPResponseError: Int(error.status.code)
        default: 500
        }
    }

    private func map(_ error: any Error, _ request: Request, _ context: Context) -> Response {
        switch error {
        case let error as APIError: return respond(error, request, context)
        case let error as any APIErrorConvertible: return respond(error.apiError, request, context)
        case let error as any HTTPResponseError: return respond(translate(error.status, request, context), request, context)
        default:
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return respond(.internalError, request, context)
        }
    }

    /// Framework errors (no route, body too large) in our vocabulary.
    private func translate(_ status: HTTPResponse.Status, _ request: Request, _ context: Context) -> APIError {
        switch status {
        case .notFound:
            let allowed = catalog.allowedMethods(for: request.uri.path)
            return allowed.isEmpty ? .notFound() : .methodNotAllowed(allowed: allowed)
        case .contentTooLarge:
            return .payloadTooLarge(limit: context.maxUploadSize)
        case .badRequest:
            return .badRequest("The request could not be read.")
        case .methodNotAllowed:
            return .methodNotAllowed(allowed: catalog.allowedMethods(for: request.uri.path))
        case .unsupportedMediaType:
            return APIError(.unsupportedMediaType, "unsupported_media_type", "This content type is not accepted here.")
        default:
            return status.code >= 500
                ? .internalError
                : APIError(status, "bad_request", status.reasonPhrase.isEmpty ? "The request failed." : status.reasonPhrase)
        }
    }

    private func respond(_ error: APIError, _ request: Request, _ context: Context) -> Response {
        if error.status.code >= 500 {
            metrics.recordError(type: error.code, severity: error.status.code == 503 ? "warning" : "error")
        }
        var headers = error.headers
        let body: ByteBuffer
        if Self.isAPI(request.uri.path) {
            headers[.contentType] = "application/json; charset=utf-8"
            headers[.cacheControl] = "no-store"
            if error.status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"psc\"" }
            body = ByteBuffer(string: error.envelope(requestID: context.requestID).canonicalText)
        } else {
            headers[.contentType] = "text/html; charset=utf-8"
            headers[.cacheControl] = "no-store"
            body = ByteBuffer(
                string: pages.errorPage(error, requestID: context.requestID, request: request, identity: context.identity))
        }
        return Response(status: error.status, headers: headers, body: .init(byteBuffer: body))
    }

    static func isAPI(_ path: String) -> Bool { path == "/api" || path.hasPrefix("/api/") }
}
