import PSCStore

extension SignInFailure: APIErrorConvertible {
    var apiError: APIError {
        switch self {
        case .invalidCredentials: APIError(.unauthorized, "invalid_credentials", "The email or password is not right.")
        case .passkeyRefused: APIError(.unauthorized, "invalid_credentials", "This passkey was not accepted.")
        case .suspended: APIError(.unauthorized, "account_suspended", "This account is suspended.")
        case .throttled(let wait): .rateLimited(retryAfter: wait, "Too many failed attempts for this account; try again in \(wait) s.")
        case .challengeExpired:
            APIError(.unauthorized, "challenge_expired", "This sign-in has expired; enter your email and password again.")
        case .invalidCode: APIError(.unauthorized, "invalid_code", "That code is not right.")
        case .codesBlocked(let wait):
            .rateLimited(retryAfter: wait, "Too many wrong codes for this account; try again in \(wait / 60 + 1) min.")
        }
    }
}
