import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PSCCore
import PSCStore

/// USR-3, USR-16 and USR-17 (10-api §4): uploading files, the avatar, and reading a file back. The type is sniffed
/// from the bytes; images lose their metadata and must be at most 4096 pixels a side.
struct UploadRoutes: FeatureRoutes {
    let uploads: UploadStore

    static let imageLimit = 5 << 20
    static let documentLimit = 10 << 20
    static let maxImageSide = 4096

    /// The declared-length limits the body limiter applies to these paths.
    static let bodyLimits: [String: Int] = [
        "/api/v1/uploads": MultipartForm.bodyLimit(forFile: documentLimit),
        "/api/v1/users/me/avatar": MultipartForm.bodyLimit(forFile: imageLimit),
        "/api/v1/recommendations/": MultipartForm.bodyLimit(forFile: documentLimit),
    ]

    /// A file as checked and cleaned for storage: its real type, and for images the bytes without metadata.
    struct CheckedFile {
        let type: SniffedType
        let data: Data
        let name: String?
    }

    /// 415 for a type outside PNG, JPEG, WebP and PDF (or a PDF where an image is needed), 413 over the kind's
    /// limit, 422 for an image too large or too broken to read.
    static func check(_ part: MultipartForm.Part, imagesOnly: Bool) throws -> CheckedFile {
        guard let type = SniffedType.sniff(part.data), !imagesOnly || type.isImage else {
            throw APIError(
                .unsupportedMediaType, "unsupported_media_type",
                imagesOnly ? "Upload a PNG, JPEG or WebP image." : "Upload a PNG, JPEG, WebP image or a PDF document.")
        }
        let limit = type.isImage ? imageLimit : documentLimit
        guard part.data.count <= limit else { throw APIError.payloadTooLarge(limit: limit) }
        guard !part.data.isEmpty else { throw APIError.validation(["file": ["is empty"]]) }
        let name = part.filename.map { String($0.replacingOccurrences(of: "/", with: "_").prefix(200)) }
        guard type.isImage else { return CheckedFile(type: type, data: part.data, name: name) }
        guard let size = ImageDimensions.of(part.data, type: type), size.width > 0, size.height > 0 else {
            throw APIError.validation(["file": ["is not a readable image"]])
        }
        guard size.width <= maxImageSide, size.height <= maxImageSide else {
            throw APIError.validation(["file": ["must be at most \(maxImageSide) pixels on each side"]])
        }
        guard let clean = try? ImageMetadataStripper.strip(part.data, type: type) else {
            throw APIError.validation(["file": ["is not a readable image"]])
        }
        return CheckedFile(type: type, data: clean, name: name)
    }

    static func body(_ record: UploadRecord) -> JSONValue {
        [
            "id": .int(record.id), "url": .string(UploadViews.url(record.id)), "sha256": .string(record.sha256.hexString),
            "bytes": .int(Int64(record.bytes)), "content_type": .string(record.contentType), "kind": .string(record.kind),
        ]
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let uploads = uploads
        catalog.add(
            RouteSpec(
                id: "USR-16", .post, "/api/v1/uploads", summary: "Upload a file", tag: "Users", access: .member(scope: "profile:write"),
                limit: .own("30/h"),
                body: .multipartFile,
                responses: [
                    201: ("id, url, sha256, bytes, content_type", "Upload"), 413: ("Too large", "Error"),
                    415: ("Not PNG, JPEG, WebP or PDF", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.signedIn, scope: "profile:write")
            let form = try await MultipartForm.read(request, limit: MultipartForm.bodyLimit(forFile: Self.documentLimit))
            guard let kind = form.field("kind"), UploadStore.kinds.contains(kind) else {
                throw APIError.validation(["kind": ["must be one of \(UploadStore.kinds.joined(separator: ", "))"]])
            }
            guard let part = form.file("file"), part.filename != nil else { throw APIError.validation(["file": ["is required"]]) }
            let file = try Self.check(part, imagesOnly: kind == "image")
            let owner = identity.user.id
            let record = try await Offload.run {
                try uploads.create(ownerID: owner, kind: kind, contentType: file.type.contentType, data: file.data, originalName: file.name)
            }
            var response = JSONResponse.make(Self.body(record), status: .created)
            response.headers[.location] = UploadViews.url(record.id)
            return response
        }
        catalog.add(
            RouteSpec(
                id: "USR-17", .get, "/api/v1/uploads/{id}", summary: "A file", tag: "Users", access: .member(scope: "profile:read"),
                responses: [
                    200: ("The file (PNG, JPEG, WebP or PDF)", "application/octet-stream"),
                    403: ("The token's scopes do not allow it", "Error"),
                    404: ("Not yours, or not shared with you", "Error"),
                ]),
            to: router
        ) { _, context in
            // Every file belongs to a member-only page, so a visitor reads none; a token reads images with
            // `profile:read` and documents (résumés) only with `applications:read` as well.
            let identity = try context.require(.signedIn, scope: "profile:read")
            let managesJobs = identity.has(.manageJobs)
            let id = try context.positiveID(notFound: "There is no such file.")
            guard let record = try await Offload.run({ try uploads.record(id: id) }),
                try await Offload.run({
                    try uploads.mayRead(
                        record, viewer: identity.user.id, managesJobs: managesJobs,
                        reviewsVerifications: identity.has(.verifyUsers) || identity.has(.approveEmployers))
                })
            else { throw APIError.notFound("There is no such file.") }
            if record.kind != "image" { _ = try context.require(.signedIn, scope: "applications:read") }
            guard let data = try await Offload.run({ try uploads.contents(of: record) }) else {
                throw APIError.notFound("There is no such file.")
            }
            var headers = HTTPFields()
            headers[.contentType] = record.contentType
            headers[.contentLength] = String(data.count)
            headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
            headers[.contentSecurityPolicy] = "default-src 'none'; sandbox"
            let fileName = "upload-\(record.id).\(SniffedType(rawValue: record.contentType)?.fileExtension ?? "bin")"
            headers[.contentDisposition] =
                record.kind == "image" ? "inline; filename=\"\(fileName)\"" : "attachment; filename=\"\(fileName)\""
            headers[.cacheControl] = record.attachedType == "users.avatar" ? "private, max-age=86400" : "private, no-store"
            headers[.eTag] = "\"\(record.sha256.hexString.prefix(32))\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        catalog.add(
            RouteSpec(
                id: "USR-3", .put, "/api/v1/users/me/avatar", summary: "Set my avatar", tag: "Users",
                access: .member(scope: "profile:write"), limit: .own("10/h"),
                body: .multipartFile,
                responses: [
                    200: ("avatar_url", "Avatar"), 413: ("Over 5 MiB", "Error"),
                    415: ("Not PNG, JPEG or WebP", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.signedIn, scope: "profile:write")
            let form = try await MultipartForm.read(request, limit: MultipartForm.bodyLimit(forFile: Self.imageLimit))
            guard let part = form.file("file") else { throw APIError.validation(["file": ["is required"]]) }
            let file = try Self.check(part, imagesOnly: true)
            let owner = identity.user.id
            let record = try await Offload.run {
                let record = try uploads.create(
                    ownerID: owner, kind: "image", contentType: file.type.contentType, data: file.data, originalName: file.name,
                    attachedTo: ("users.avatar", owner))
                try uploads.setAvatar(userID: owner, upload: record)
                return record
            }
            return JSONResponse.make(["avatar_url": .string(UploadViews.url(record.id))])
        }
    }
}
