import Foundation
import Hummingbird
import MultipartKit
import NIOCore

/// A `multipart/form-data` body (USR-3, USR-16), read whole up to a limit and split into its parts by
/// MultipartKit's parser. A body over the limit is 413 before it is read in full.
struct MultipartForm {
    struct Part {
        let name: String
        let filename: String?
        let data: Data
    }

    let parts: [Part]

    func field(_ name: String) -> String? {
        parts.first { $0.name == name && $0.filename == nil }.map { String(decoding: $0.data, as: UTF8.self) }
    }

    func file(_ name: String) -> Part? { parts.first { $0.name == name } }

    /// Room for the part headers and boundaries around a file of `fileLimit` bytes.
    static func bodyLimit(forFile fileLimit: Int) -> Int { fileLimit + 64 * 1024 }

    static func read(_ request: Request, limit: Int) async throws -> MultipartForm {
        let contentType = request.headers[.contentType] ?? ""
        let pieces = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard pieces.first?.lowercased() == "multipart/form-data",
            let boundary = pieces.dropFirst().first(where: { $0.lowercased().hasPrefix("boundary=") })
                .map({ String($0.dropFirst("boundary=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }),
            !boundary.isEmpty, boundary.count <= 70
        else {
            throw APIError(.unsupportedMediaType, "unsupported_media_type", "Send the file as multipart/form-data.")
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError.payloadTooLarge(limit: limit)
        }
        return try parse(buffer, boundary: boundary)
    }

    static func parse(_ buffer: ByteBuffer, boundary: String) throws -> MultipartForm {
        let parser = MultipartParser(boundary: boundary)
        var parts: [Part] = []
        var headers: [String: String] = [:]
        var body = Data()
        parser.onHeader = { name, value in headers[name.lowercased()] = value }
        parser.onBody = { chunk in body.append(contentsOf: chunk.readableBytesView) }
        parser.onPartComplete = {
            let disposition = Self.dispositionParameters(headers["content-disposition"] ?? "")
            if let name = disposition["name"] { parts.append(Part(name: name, filename: disposition["filename"], data: body)) }
            headers = [:]
            body = Data()
        }
        do {
            try parser.execute(buffer)
        } catch {
            throw APIError.badRequest("The multipart body is malformed.")
        }
        guard !parts.isEmpty else { throw APIError.badRequest("The multipart body has no complete part.") }
        return MultipartForm(parts: parts)
    }

    /// `form-data; name="file"; filename="cv.pdf"` → ["name": "file", "filename": "cv.pdf"].
    static func dispositionParameters(_ header: String) -> [String: String] {
        var result: [String: String] = [:]
        for piece in header.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            var value = pair[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            result[pair[0].lowercased()] = value
        }
        return result
    }
}
