import Foundation
import HTTPTypes
import Hummingbird
import PSCCore

/// The one error type clients see (00-conventions §5). Routes throw it; ``ErrorMiddleware`` renders it as the
/// JSON envelope under `/api` and as a branded page elsewhere.
public struct APIError: Error, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public var fields: [String: [String]]?
    public var headers: HTTPFields

    public init(
        _ status: HTTPResponse.Status, _ code: String, _ message: String, fields: [String: [String]]? = nil,
        headers: HTTPFields = [:]
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.headers = headers
    }

    public static func notFound(_ message: String = "There is nothing here.") -> APIError {
        APIError(.notFound, "not_found", message)
    }
    public static func badRequest(_ message: String) -> APIError { APIError(.badRequest, "bad_request", message) }
    public static func forbidden(_ message: String = "You are not allowed to do this.") -> APIError {
        APIError(.forbidden, "forbidden", message)
    }
    public static func validation(_ fields: [String: [String]]) -> APIError {
        APIError(.unprocessableContent, "validation_failed", "Some fields are not valid.", fields: fields)
    }
    public static func payloadTooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, "payload_too_large", "The request body is larger than \(limit) bytes.")
    }
    public static func methodNotAllowed(allowed: [String]) -> APIError {
        var headers = HTTPFields()
        headers[.allow] = allowed.joined(separator: ", ")
        return APIError(.methodNotAllowed, "method_not_allowed", "This method is not allowed here.", headers: headers)
    }
    /// 429 `rate_limited` with `Retry-After` in whole seconds.
    public static func rateLimited(retryAfter seconds: Int, _ message: String) -> APIError {
        var headers = HTTPFields()
        headers[.retryAfter] = String(max(1, seconds))
        return APIError(.tooManyRequests, "rate_limited", message, headers: headers)
    }
    public static let internalError = APIError(.internalServerError, "internal", "Something went wrong on our side.")
    public static let unavailable = APIError(.serviceUnavailable, "unavailable", "The service is unavailable; try again shortly.")

    /// The envelope body: `{"error", "message", "fields"?, "request_id"}`.
    func envelope(requestID: String) -> JSONValue {
        var object: [String: JSONValue] = [
            "error": .string(code), "message": .string(message), "request_id": .string(requestID),
        ]
        if let fields {
            object["fields"] = .object(fields.mapValues { .array($0.map(JSONValue.string)) })
        }
        return .object(object)
    }
}

/// A store's error that knows what the client should see; ``ErrorMiddleware`` renders it, so routes throw store
/// errors as they come.
protocol APIErrorConvertible: Error {
    var apiError: APIError { get }
}
