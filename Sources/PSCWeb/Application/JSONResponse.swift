import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PSCCore

/// JSON responses with the conventions' headers.
enum JSONResponse {
    /// `cache`: `Cache-Control` value; anonymous public lists are `public, max-age=60`, the rest `no-store`.
    static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok, cache: String = "no-store") -> Response {
        make(bytes: value.canonicalBytes, status: status, cache: cache)
    }

    static func make(bytes: [UInt8], status: HTTPResponse.Status = .ok, cache: String = "no-store") -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = cache
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

extension Request {
    /// Reads a JSON body of at most `context.maxUploadSize` bytes: 415 without a JSON content type, 413 when too
    /// large, 400 when unparseable or not an object, 422 with per-field messages on wrong types.
    func decodeJSON<T: Decodable>(as type: T.Type, context: AppRequestContext) async throws -> T {
        let data = try await jsonObjectBody(context: context).data
        do {
            return try RequestKeys.decoder().decode(T.self, from: data)
        } catch let DecodingError.typeMismatch(_, detail), let DecodingError.valueNotFound(_, detail) {
            throw APIError.validation([Self.fieldName(detail.codingPath): ["has the wrong type"]])
        } catch let DecodingError.keyNotFound(key, detail) {
            throw APIError.validation([Self.fieldName(detail.codingPath + [key]): ["is required"]])
        } catch {
            throw APIError.badRequest("The body could not be read as the expected object.")
        }
    }

    /// The body as a JSON object, for PATCH routes that must tell an absent key from `null` (00-conventions §4).
    func jsonObjectBody(context: AppRequestContext) async throws -> (data: Data, object: [String: Any]) {
        let contentType = headers[.contentType]?.lowercased() ?? ""
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let charsetOK = !contentType.contains("charset=") || contentType.contains("charset=utf-8")
        guard mediaType == "application/json", charsetOK else {
            throw APIError(.unsupportedMediaType, "unsupported_media_type", "Send the body as application/json (UTF-8).")
        }
        var request = self
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: context.maxUploadSize)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError.payloadTooLarge(limit: context.maxUploadSize)
        }
        let data = Data(buffer: buffer)
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw APIError.badRequest("The body must be a JSON object in valid UTF-8.")
        }
        return (data, object)
    }

    private static func fieldName(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue.map(String.init) ?? RequestKeys.fieldName($0.stringValue) }.joined(separator: ".")
    }
}
