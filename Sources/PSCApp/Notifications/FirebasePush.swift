import AsyncHTTPClient
import Crypto
import CryptoExtras
import Foundation
import NIOCore
import PSCCore
import Synchronization

/// The push adapter in the FCM HTTP v1 shape (20-services §8.4): an OAuth 2 access token from the service account
/// (a JWT bearer grant signed RS256, reused until five minutes before it expires), then one `messages:send` per
/// device.
final class FirebasePush: Sendable {
    let apiBase: String
    let projectID: String
    let clientEmail: String
    let tokenURI: String
    let key: _RSA.Signing.PrivateKey
    private let accessToken = Mutex<(token: String, expires: Date)?>(nil)

    struct ServiceAccount: Decodable {
        let clientEmail: String
        let privateKey: String
        let tokenURI: String?
        enum CodingKeys: String, CodingKey {
            case clientEmail = "client_email", privateKey = "private_key", tokenURI = "token_uri"
        }
    }

    /// Nil unless a project and a service account file are configured.
    init?(_ configuration: Configuration) throws {
        guard let project = configuration.string("fcm.project_id"), let file = configuration.string("fcm.service_account_file") else {
            return nil
        }
        let account = try JSONDecoder().decode(ServiceAccount.self, from: Data(contentsOf: URL(fileURLWithPath: file)))
        apiBase = (configuration.string("fcm.api_base") ?? "https://fcm.googleapis.com").trimmingSuffix("/")
        projectID = project
        clientEmail = account.clientEmail
        tokenURI = account.tokenURI ?? "https://oauth2.googleapis.com/token"
        key = try _RSA.Signing.PrivateKey(pemRepresentation: account.privateKey)
    }

    struct Message {
        let title: String
        let body: String
        let data: [String: String]
        let urgent: Bool
    }

    /// Sends to one device; the reply's message name.
    func send(_ message: Message, to deviceToken: String) async throws -> String {
        let bearer = try await token()
        let payload: [String: Any] = [
            "message": [
                "token": deviceToken, "notification": ["title": message.title, "body": message.body], "data": message.data,
                "android": ["priority": message.urgent ? "HIGH" : "NORMAL"],
                "apns": ["headers": ["apns-priority": message.urgent ? "10" : "5"]],
            ]
        ]
        var request = HTTPClientRequest(url: "\(apiBase)/v1/projects/\(projectID)/messages:send")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(bearer)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: payload)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
        let data = Data(buffer: try await response.body.collect(upTo: 1 << 20))
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        switch response.status.code {
        case 200..<300:
            return json["name"] as? String ?? ""
        case 401:
            accessToken.withLock { $0 = nil }
            throw OutboundFailure(description: "FCM refused the access token", permanent: false)
        case 429, 500...:
            throw OutboundFailure(description: "FCM answered \(response.status.code)", permanent: false)
        default:
            let error = json["error"] as? [String: Any]
            let status = error?["status"] as? String ?? ""
            let details = (error?["details"] as? [[String: Any]] ?? []).compactMap { $0["errorCode"] as? String }
            let unregistered = details.contains("UNREGISTERED") || status == "NOT_FOUND" || details.contains("INVALID_ARGUMENT")
            throw OutboundFailure(
                description: "FCM answered \(response.status.code) \(([status] + details).joined(separator: " "))", permanent: true,
                code: unregistered ? Self.unregistered : nil)
        }
    }

    /// The code an OutboundFailure carries when the device token is gone.
    static let unregistered = 404

    func token() async throws -> String {
        if let cached = accessToken.withLock({ $0 }), cached.expires.timeIntervalSinceNow > 300 { return cached.token }
        let now = Int(Date().timeIntervalSince1970)
        func segment(_ object: [String: Any]) throws -> String {
            SecureToken.base64URL(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
        }
        let unsigned =
            try segment(["alg": "RS256", "typ": "JWT"]) + "."
            + segment([
                "iss": clientEmail, "scope": "https://www.googleapis.com/auth/firebase.messaging", "aud": tokenURI, "iat": now,
                "exp": now + 3600,
            ])
        let signature = try key.signature(for: SHA256.hash(data: Data(unsigned.utf8)), padding: .insecurePKCS1v1_5)
        let assertion = unsigned + "." + SecureToken.base64URL(signature.rawRepresentation)
        var request = HTTPClientRequest(url: tokenURI)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(
            ByteBuffer(string: "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=\(assertion)"))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
        let data = Data(buffer: try await response.body.collect(upTo: 1 << 20))
        guard response.status.code == 200, let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let token = json["access_token"] as? String
        else { throw OutboundFailure(description: "the OAuth token request answered \(response.status.code)", permanent: false) }
        let lifetime = json["expires_in"] as? Int ?? 3600
        accessToken.withLock { $0 = (token, Date().addingTimeInterval(TimeInterval(lifetime))) }
        return token
    }
}
