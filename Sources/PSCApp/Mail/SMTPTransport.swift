import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import PSCWeb

/// Sends through an SMTP relay (20-services §8.5): STARTTLS `required` (no plaintext fallback), `optional` or
/// `off` (loopback only, checked at start-up), implicit TLS on port 465, AUTH PLAIN when a username is set. A 4xx
/// reply is temporary (the job retries); a 5xx fails the delivery for good.
struct SMTPMailTransport: MailTransport {
    enum StartTLS: String, Sendable { case required, optional, off }

    struct Failure: Error, CustomStringConvertible {
        let code: Int?
        let text: String
        /// 5xx replies are permanent; everything else (4xx, network) may succeed on a later attempt.
        var permanent: Bool { (code ?? 0) >= 500 }
        var description: String { code.map { "SMTP \($0): \(text)" } ?? "SMTP: \(text)" }
    }

    let host: String
    let port: Int
    let startTLS: StartTLS
    let username: String?
    let password: String?
    /// Extra trust anchors (PEM) for a campus relay with a private certificate authority.
    let caFile: String?
    let timeout: TimeAmount = .seconds(30)

    func send(_ message: MailMessage) async throws {
        let tls = try tlsContext()
        let implicitTLS = port == 465
        let host = host
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if implicitTLS {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tls, serverHostname: Self.sniName(host)))
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPLineDecoder()))
                    return try NIOAsyncChannel<String, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            var lines = inbound.makeAsyncIterator()
            func reply() async throws -> (code: Int, lines: [String]) {
                var collected: [String] = []
                while true {
                    guard let line = try await lines.next() else { throw Failure(code: nil, text: "the server closed the connection") }
                    collected.append(line)
                    let bytes = Array(line.utf8)
                    if bytes.count < 3 || Int(String(decoding: bytes.prefix(3), as: UTF8.self)) == nil {
                        throw Failure(code: nil, text: "unreadable reply '\(line.prefix(80))'")
                    }
                    if bytes.count == 3 || bytes[3] == UInt8(ascii: " ") {
                        return (Int(String(decoding: bytes.prefix(3), as: UTF8.self)) ?? 0, collected)
                    }
                }
            }
            func expect(_ reply: (code: Int, lines: [String]), _ accepted: ClosedRange<Int>) throws {
                guard accepted.contains(reply.code) else {
                    throw Failure(code: reply.code, text: reply.lines.last.map { String($0.dropFirst(4)) } ?? "")
                }
            }
            func command(_ text: String, _ accepted: ClosedRange<Int>) async throws -> (code: Int, lines: [String]) {
                try await outbound.write(ByteBuffer(string: text + "\r\n"))
                let answer = try await reply()
                try expect(answer, accepted)
                return answer
            }
            let clientName = "localhost"
            try expect(try await reply(), 220...220)
            var features = try await command("EHLO \(clientName)", 250...250).lines
            if !implicitTLS, startTLS != .off {
                let offered = features.contains { $0.uppercased().dropFirst(4).hasPrefix("STARTTLS") }
                if offered {
                    _ = try await command("STARTTLS", 220...220)
                    try await channel.channel.pipeline.addHandler(
                        NIOSSLClientHandler(context: tls, serverHostname: Self.sniName(host)), position: .first)
                    features = try await command("EHLO \(clientName)", 250...250).lines
                } else if startTLS == .required {
                    _ = try? await command("QUIT", 200...599)
                    throw Failure(code: nil, text: "the server does not offer STARTTLS and mail.starttls is required")
                }
            }
            if let username, let password {
                let credentials = Data(("\u{0}" + username + "\u{0}" + password).utf8).base64EncodedString()
                _ = try await command("AUTH PLAIN \(credentials)", 235...235)
            }
            _ = features
            _ = try await command("MAIL FROM:<\(MailMessage.address(message.from))>", 250...250)
            _ = try await command("RCPT TO:<\(MailMessage.address(message.to))>", 250...251)
            _ = try await command("DATA", 354...354)
            // Dot-stuffing (RFC 5321 §4.5.2): a line that starts with a dot gets a second one.
            let body = message.rendered.replacingOccurrences(of: "\r\n.", with: "\r\n..")
            try await outbound.write(
                ByteBuffer(string: (body.hasPrefix(".") ? "." : "") + body + (body.hasSuffix("\r\n") ? "" : "\r\n") + ".\r\n"))
            try expect(try await reply(), 250...250)
            _ = try? await command("QUIT", 200...599)
        }
    }

    private func tlsContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let caFile { configuration.additionalTrustRoots = [.file(caFile)] }
        return try NIOSSLContext(configuration: configuration)
    }

    /// SNI takes host names only, not address literals.
    static func sniName(_ host: String) -> String? {
        host.contains(":") || host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : host
    }
}

/// Splits the reply stream into lines without their CRLF.
struct SMTPLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = String

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > 4096 { throw SMTPMailTransport.Failure(code: nil, text: "reply line too long") }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex + 1
        guard var line = buffer.readString(length: length) else { return .needMoreData }
        while line.hasSuffix("\n") || line.hasSuffix("\r") { line.removeLast() }
        context.fireChannelRead(Self.wrapInboundOut(line))
        return .continue
    }
}
