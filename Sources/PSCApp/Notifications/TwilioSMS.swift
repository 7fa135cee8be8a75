import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PSCCore

/// The SMS adapter in the Twilio Messages API shape (20-services §8.3): one form POST per message, HTTP Basic with
/// the account SID and auth token; the reply's `sid` is kept with the delivery.
struct TwilioSMS: Sendable {
    let apiBase: String
    let accountSID: String
    let authToken: String
    let from: String?
    let messagingServiceSID: String?

    /// Nil unless the account, the token and a sender are configured.
    init?(_ configuration: Configuration) throws {
        guard let sid = configuration.string("twilio.account_sid"), let tokenFile = configuration.string("twilio.auth_token_file"),
            configuration.string("twilio.from_number") != nil || configuration.string("twilio.messaging_service_sid") != nil
        else { return nil }
        apiBase = (configuration.string("twilio.api_base") ?? "https://api.twilio.com").trimmingSuffix("/")
        accountSID = sid
        authToken = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        from = configuration.string("twilio.from_number")
        messagingServiceSID = configuration.string("twilio.messaging_service_sid")
    }

    struct Sent { let sid: String }

    func send(to number: String, body: String) async throws -> Sent {
        guard let to = PhoneNumber.e164(number) else {
            throw OutboundFailure(description: "the phone number is not valid", permanent: true)
        }
        var fields = [("To", to), ("Body", String(body.prefix(1600)))]
        if let messagingServiceSID {
            fields.append(("MessagingServiceSid", messagingServiceSID))
        } else if let from {
            fields.append(("From", from))
        }
        let form = fields.map { "\($0.0)=\(Self.formEncoded($0.1))" }.joined(separator: "&")
        var request = HTTPClientRequest(url: "\(apiBase)/2010-04-01/Accounts/\(accountSID)/Messages.json")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Authorization", value: "Basic " + Data("\(accountSID):\(authToken)".utf8).base64EncodedString())
        request.body = .bytes(ByteBuffer(string: form))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
        let data = Data(buffer: try await response.body.collect(upTo: 1 << 20))
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        switch response.status.code {
        case 200..<300:
            guard let sid = json["sid"] as? String else {
                throw OutboundFailure(description: "the reply had no message sid", permanent: false)
            }
            return Sent(sid: sid)
        case 429, 500...:
            throw OutboundFailure(description: "Twilio answered \(response.status.code)", permanent: false)
        default:
            let code = json["code"] as? Int
            let message = json["message"] as? String ?? "refused"
            throw OutboundFailure(description: "Twilio answered \(response.status.code): \(message)", permanent: true, code: code)
        }
    }

    /// application/x-www-form-urlencoded: everything but unreserved characters percent-encoded ("+" too).
    static func formEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
