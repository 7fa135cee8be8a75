import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// The session cookie (00-conventions §3.1): `__Host-` and `Secure` when the site is served over TLS, HttpOnly,
/// SameSite=Lax; it outlives the browser only when the member asked to be remembered.
struct SessionCookie: Sendable {
    let secure: Bool

    init(_ configuration: Configuration) { secure = configuration.usesTLS }

    var name: String { secure ? "__Host-psc_session" : "psc_session" }

    func started(_ token: String, session: SessionRecord) -> Cookie {
        let maxAge = session.remember ? Timestamp.date(from: session.absoluteExpiresAt).map { max(0, Int($0.timeIntervalSinceNow)) } : nil
        return cookie(value: token, maxAge: maxAge)
    }

    func expired() -> Cookie { cookie(value: "", maxAge: 0) }

    private func cookie(value: String, maxAge: Int?) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }
}

extension Request {
    /// Where links in emails and calendars point: the public origin, or on a development instance the request's own.
    func siteOrigin(_ configuration: Configuration) -> String {
        let scheme = configuration.servesTLS ? "https" : "http"
        return configuration.publicOrigin ?? "\(scheme)://\(head.authority ?? "localhost")"
    }

    /// The caller's address and browser, as audit records and sign-in attempts keep them.
    func origin(_ context: AppRequestContext) -> RequestOrigin {
        RequestOrigin(ip: context.remoteAddress, userAgent: headers[.userAgent].map { String($0.prefix(300)) })
    }
}
