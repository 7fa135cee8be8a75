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
    /// large, 400 when unparseable or not an object, 422 with per-field messages on wrong types, numbers out of range
    /// and text holding control characters.
    func decodeJSON<T: Decodable>(as type: T.Type, context: AppRequestContext) async throws -> T {
        let (data, object, _) = try await jsonObjectBody(context: context)
        // The document lists a route's body from its declaration, so a handler decoding another type is a gap in the
        // contract: logged for the conformance sweep to find (the request itself is still served).
        if let route = context.route, route.body?.type != ObjectIdentifier(T.self) {
            context.logger.error(
                "route decodes an undeclared body type",
                metadata: ["route": "\(route.id)", "decodes": "\(T.self)", "declares": "\(route.body?.typeName ?? "none")"])
        }
        do {
            return try RequestKeys.decoder().decode(T.self, from: data)
        } catch let DecodingError.typeMismatch(_, detail), let DecodingError.valueNotFound(_, detail) {
            throw APIError.validation([Self.fieldName(detail.codingPath): ["has the wrong type"]])
        } catch let DecodingError.keyNotFound(key, detail) {
            throw APIError.validation([Self.fieldName(detail.codingPath + [key]): ["is required"]])
        } catch DecodingError.dataCorrupted {
            // The body is valid JSON (it parsed above), so the decoder refused a number it cannot hold in a whole-number
            // field (`1e40`, `2.5`) and, on Linux, without naming it: name the fields that hold such numbers.
            let fields = Self.fieldsWithNonIntegralNumbers(object, path: nil)
            guard !fields.isEmpty else { throw APIError.badRequest("The body could not be read as the expected object.") }
            throw APIError.validation(Dictionary(uniqueKeysWithValues: fields.map { ($0, ["must be a whole number in range"]) }))
        } catch {
            throw APIError.badRequest("The body could not be read as the expected object.")
        }
    }

    /// The fields of a body the route lets callers leave out: no body, or an empty one, reads as an empty object.
    func optionalFieldReader(context: AppRequestContext) async throws -> FieldReader {
        guard let length = headers[.contentLength], length != "0" else { return FieldReader([:]) }
        let (_, object, problems) = try await jsonObjectBody(context: context, collecting: true)
        return FieldReader(object, problems: problems)
    }

    /// The body as a JSON object, for PATCH routes that must tell an absent key from `null` (00-conventions §4). The
    /// declared field limits are checked here: their problems are thrown at once, or, with `collecting`, handed back
    /// for a handler that reports them together with its own (every problem in one 422, 00-conventions §5).
    func jsonObjectBody(context: AppRequestContext, collecting: Bool = false) async throws -> (
        data: Data, object: [String: Any], problems: [String: [String]]
    ) {
        if let route = context.route, route.body == nil {
            context.logger.error("route decodes an undeclared body type", metadata: ["route": "\(route.id)", "declares": "none"])
        }
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
        let refused = Self.fieldsWithControlCharacters(object, path: nil)
        guard refused.isEmpty else {
            throw APIError.validation(Dictionary(uniqueKeysWithValues: refused.map { ($0, ["must not contain control characters"]) }))
        }
        let problems = FieldRule.problems(context.route?.body?.fields ?? [:], in: object)
        guard problems.isEmpty || collecting else { throw APIError.validation(problems) }
        return (data, object, problems)
    }

    /// Every field holding a number that is not a whole number an `Int64` can hold.
    static func fieldsWithNonIntegralNumbers(_ value: Any, path: String?) -> [String] {
        fields(in: value, path: path) { leaf in
            leaf is NSNumber && !(leaf is String) && !FieldReader.isBool(leaf) && FieldRule.wholeNumber(leaf) == nil
        }
    }

    /// Every field (dotted path, array items by index) whose text holds a control character other than tab, line feed
    /// and carriage return: no stored text carries them (a NUL cut a rendered post short), so every JSON body is
    /// checked here once.
    static func fieldsWithControlCharacters(_ value: Any, path: String?) -> [String] {
        fields(in: value, path: path) { leaf in
            guard let text = leaf as? String else { return false }
            return text.unicodeScalars.contains { scalar in
                (scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r") || (0x7F...0x9F).contains(scalar.value)
            }
        }
    }

    /// The dotted paths of the leaves of a parsed JSON value that `refused` picks.
    private static func fields(in value: Any, path: String?, where refused: (Any) -> Bool) -> [String] {
        switch value {
        case let object as [String: Any]:
            return object.flatMap { key, member in fields(in: member, path: path.map { "\($0).\(key)" } ?? key, where: refused) }
        case let array as [Any]:
            return array.enumerated().flatMap { index, member in
                fields(in: member, path: path.map { "\($0).\(index)" } ?? String(index), where: refused)
            }
        default:
            return refused(value) ? [path ?? "body"] : []
        }
    }

    private static func fieldName(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue.map(String.init) ?? RequestKeys.jsonName($0.stringValue) }.joined(separator: ".")
    }
}
