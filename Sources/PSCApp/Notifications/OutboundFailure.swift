/// A provider's refusal of one send: `permanent` ones (an invalid number, an unregistered token, SMTP 5xx) fail the
/// delivery without retry (20-services §3.4); others wait for the queue's retry.
struct OutboundFailure: Error, CustomStringConvertible {
    let description: String
    let permanent: Bool
    /// The provider's error code, when it gives one (Twilio's 21610: the recipient opted out).
    var code: Int? = nil
}
