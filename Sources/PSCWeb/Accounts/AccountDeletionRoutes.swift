import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// USR-14 (10-api §4): deleting one's own account. The password confirms it; every session and token ends at
/// once, and the purge runs 30 days later unless the person signs in before then.
struct AccountDeletionRoutes: FeatureRoutes {
    let configuration: Configuration
    let accountPurge: AccountPurge
    let purges: PurgeScheduling

    struct Body: Decodable {
        let password: String
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        catalog.add(
            RouteSpec(
                id: "USR-14", .delete, "/api/v1/users/me", summary: "Delete my account", tag: "Users", access: .session,
                limit: .own("3/day"),
                body: .json(Body.self), responses: [202: ("purge_after", "DeletionScheduled"), 401: ("Wrong password", "Error")]),
            to: router
        ) { request, context in
            let (identity, _) = try context.requireSession()
            let body = try await request.decodeJSON(as: Body.self, context: context)
            let (password, stored) = (body.password, identity.user.passwordHash)
            guard try await Offload.run({ PasswordHasher.verify(password, againstOptional: stored) }) else {
                throw APIError(.unauthorized, "invalid_credentials", "The password is not right.")
            }
            let (purge, purges, userID, origin) = (accountPurge, purges, identity.user.id, request.origin(context))
            let purgeAfter = try await Offload.run { try purge.requestDeletion(userID: userID, origin: origin, scheduling: purges) }
            var response = JSONResponse.make(["purge_after": .string(Timestamp.string(from: purgeAfter))], status: .accepted)
            response.setCookie(SessionCookie(configuration).expired())
            return response
        }
    }
}
