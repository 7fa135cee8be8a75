import Crypto
import Foundation
import PSCStore

/// The CSS, scripts and images compiled into the binary, served from content-hashed URLs under `/static/` so
/// they can be cached for a year and still change with each release.
public struct StaticAssets: Sendable {
    public struct Asset: Sendable {
        public let url: String
        public let contentType: String
        public let body: [UInt8]
    }

    /// Hashed URL → asset.
    public let byURL: [String: Asset]
    /// File name (`site.css`) → hashed URL.
    public let urls: [String: String]

    public init() { self.init(files: EmbeddedStatic.files) }

    init(files: [String: String]) {
        var byURL: [String: Asset] = [:]
        var urls: [String: String] = [:]
        for (name, text) in files {
            let bytes = Array(text.utf8)
            let digest = SHA256.hash(data: bytes).prefix(5).map { String(format: "%02x", $0) }.joined()
            let ext = (name as NSString).pathExtension
            let stem = (name as NSString).deletingPathExtension
            let url = "/static/\(stem).\(digest).\(ext)"
            byURL[url] = Asset(url: url, contentType: Self.contentType(ext), body: bytes)
            urls[name] = url
        }
        self.byURL = byURL
        self.urls = urls
    }

    static func contentType(_ ext: String) -> String {
        switch ext {
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        default: "application/octet-stream"
        }
    }
}
