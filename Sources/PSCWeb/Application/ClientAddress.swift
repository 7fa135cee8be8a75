import Foundation
import PSCCore

/// The client's IP (00-conventions §8): the socket peer, unless the peer is a trusted proxy, in which case the
/// right-most `X-Forwarded-For` address that is not itself a trusted proxy.
enum ClientAddress {
    static func resolve(peer: String?, forwardedFor: String?, trustedProxies: [IPNetwork]) -> String? {
        guard let peer else { return nil }
        guard !trustedProxies.isEmpty, trustedProxies.contains(where: { $0.contains(peer) }), let forwardedFor else {
            return peer
        }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for hop in hops.reversed() where !trustedProxies.contains(where: { $0.contains(hop) }) {
            return IPNetwork(hop) == nil ? peer : hop
        }
        return peer
    }
}
