extension AppRequestContext {
    /// The route's `{id}` (or another parameter) as a positive integer; anything else is the 404 that names what
    /// was not found, as an unknown id would be.
    func positiveID(_ parameter: String = "id", notFound message: String) throws -> Int64 {
        guard let id = parameters.get(parameter).flatMap({ Int64($0) }), id > 0 else { throw APIError.notFound(message) }
        return id
    }
}
