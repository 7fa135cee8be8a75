import Foundation
import PSCCore

/// Which limits apply to a request (00-conventions §8), resolved from the configuration once at start-up.
struct RateLimitPolicy: Sendable {
    let enabled: Bool
    let exemptNetworks: [IPNetwork]
    let trustedProxies: [IPNetwork]
    /// `rate_limits.<id>` overrides by route id as the key writes it (`auth_4`).
    let overrides: [String: [RateLimitRule]]

    static let apiUser = [RateLimitRule(count: 600, window: 300)]
    static let apiAnonymous = [RateLimitRule(count: 300, window: 300)]
    static let pages = [RateLimitRule(count: 600, window: 300)]

    init(configuration: Configuration) {
        enabled = configuration.boolean("rate_limits.enabled")
        exemptNetworks = configuration.list("rate_limits.exempt_networks").compactMap(IPNetwork.init)
        trustedProxies = configuration.trustedProxies
        var overrides: [String: [RateLimitRule]] = [:]
        for key in configuration.keys(withPrefix: "rate_limits.") {
            let id = String(key.dropFirst("rate_limits.".count))
            if let text = configuration.string(key), let rules = RateLimitRule.parseList(text),
                !["enabled", "exempt_networks"].contains(id)
            {
                overrides[id] = rules
            }
        }
        self.overrides = overrides
    }

    /// The bucket a request counts against and its rules; nil when the request is not limited.
    /// `route` is nil for requests that matched no route; they count against the API or page budget.
    func bucket(for route: RouteSpec?, path: String, authenticated: Bool) -> (name: String, rules: [RateLimitRule])? {
        if let route, let rules = overrides[Self.configurationID(route.id)] {
            return rules.isEmpty ? nil : (route.id, rules)
        }
        let limit = route?.limit ?? (ErrorMiddleware.isAPI(path) ? .api : .page)
        switch limit {
        case .none: return nil
        case .page: return ("pages", Self.pages)
        case .api: return authenticated ? ("api", Self.apiUser) : ("api_anonymous", Self.apiAnonymous)
        case .own(let text):
            guard let rules = RateLimitRule.parseList(text), !rules.isEmpty, let route else { return nil }
            return (route.id, rules)
        }
    }

    /// `AUTH-4` → `auth_4`, the form the configuration key uses.
    static func configurationID(_ routeID: String) -> String {
        routeID.lowercased().replacingOccurrences(of: "-", with: "_")
    }
}
