import Foundation
import PSCCore
import Testing

/// A person using the API over real HTTP: their session cookie and CSRF token once signed in.
struct AccountClient {
    let server: ServerProcess
    var cookie: String?
    var csrf: String?
    var bearer: String?

    init(server: ServerProcess) { self.server = server }

    func call(_ method: String, _ path: String, _ body: [String: Any]? = nil, headers extra: [String: String] = [:]) throws -> HTTPExchange
    {
        var headers = extra
        if let cookie { headers["Cookie"] = cookie }
        if let csrf, method != "GET" { headers["X-CSRF-Token"] = csrf }
        if let bearer { headers["Authorization"] = "Bearer \(bearer)" }
        var data = Data()
        if let body {
            headers["Content-Type"] = "application/json"
            data = try JSONSerialization.data(withJSONObject: body)
        }
        return try HTTPExchange.send(port: server.port, method: method, path: path, headers: headers, body: data)
    }

    /// Keeps the cookie and CSRF token of a successful sign-in reply.
    mutating func adopt(_ reply: HTTPExchange) {
        if let setCookie = reply.headers["set-cookie"] { cookie = String(setCookie.prefix { $0 != ";" }) }
        if let token = reply.json["csrf_token"] as? String { csrf = token }
    }

    /// Registers a student and follows the emailed verification link, as a new user would.
    static func registerVerified(_ server: ServerProcess, email: String, password: String, first: String = "Sam") throws {
        let client = AccountClient(server: server)
        let before = try mailedTokens(server, path: "/verify-email/")
        let created = try client.call(
            "POST", "/api/v1/auth/register",
            ["email": email, "password": password, "first_name": first, "last_name": "Tester", "accept_terms": true])
        #expect(created.status == 201, "\(created.body)")
        let token = try #require(try waitForMail(server, path: "/verify-email/", excluding: before))
        #expect(try client.call("POST", "/api/v1/auth/verify-email", ["token": token]).status == 200)
    }

    /// A verified member, optionally given a role by the admin channel, signed in.
    static func member(_ server: ServerProcess, _ email: String, password: String, role: String? = nil) throws -> AccountClient {
        try registerVerified(server, email: email, password: password)
        if let role { #expect(try server.admin(["user", "set-role", email, role]).status == 0) }
        var client = AccountClient(server: server)
        #expect(try client.signIn(email: email, password: password).status == 200)
        return client
    }

    /// Signs in with the password; a reply asking for a second step is returned as it is.
    mutating func signIn(email: String, password: String) throws -> HTTPExchange {
        let reply = try call("POST", "/api/v1/auth/login", ["email": email, "password": password])
        if reply.status == 200 { adopt(reply) }
        return reply
    }

    /// Polls the development mail folder until a new link with the path appears.
    static func waitForMail(_ server: ServerProcess, path: String, excluding seen: Set<String>) throws -> String? {
        for _ in 0..<200 {
            if let token = try mailedTokens(server, path: path).subtracting(seen).first { return token }
            usleep(50_000)
        }
        return nil
    }

    /// The tokens of links with the path in every `.eml` file, decoded from their base64 plain-text parts.
    static func mailedTokens(_ server: ServerProcess, path: String) throws -> Set<String> {
        Set(
            try mailedTexts(server).compactMap { text in
                text.range(of: path).map { String(text[$0.upperBound...].prefix { !$0.isWhitespace }) }
            })
    }

    /// The plain-text parts of every message in the development mail folder.
    static func mailedTexts(_ server: ServerProcess) throws -> [String] {
        let directory = server.dataDirectory + "/mail"
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory))?.filter { $0.hasSuffix(".eml") }.sorted() ?? []
        return try files.compactMap { file in
            let message = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
            let blocks = message.components(separatedBy: "\r\n\r\n")
            guard let plainIndex = blocks.firstIndex(where: { $0.contains("Content-Type: text/plain") }), plainIndex + 1 < blocks.count
            else { return nil }
            let encoded = blocks[plainIndex + 1].components(separatedBy: "\r\n").prefix { !$0.hasPrefix("--") }.joined()
            return Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// The current TOTP code for a base32 secret, as an authenticator app shows it.
    static func totp(_ secret: String, at date: Date = Date()) -> String {
        TOTP(secret: Base32.decode(secret) ?? Data()).code(step: TOTP.step(at: date))
    }
}
