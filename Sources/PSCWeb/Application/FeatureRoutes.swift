import Hummingbird

/// One feature's routes: each adds its routes to the router and their declarations to the catalog (which the OpenAPI
/// document and the rate limits read), and is built in ``buildRouter(platform:accessLog:catalog:)`` with only what it
/// uses.
protocol FeatureRoutes: Sendable {
    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog)
}
