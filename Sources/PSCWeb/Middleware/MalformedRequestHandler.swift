import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import PSCCore

/// Answers a request the HTTP parser refused (an unknown method such as `BREW`, a malformed request line or header)
/// with the JSON error envelope of 00-conventions §5 and closes the connection. Without it the framework writes a bare
/// 400 with no body, the one answer of the server that a client could not read as JSON. It sits in the channel
/// pipeline, after the parser and before the router, since such a request never reaches the middleware.
final class MalformedRequestHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var answered = false

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, !answered else {
            context.fireErrorCaught(error)
            return
        }
        answered = true
        let refusal =
            parserError == .invalidMethod
            ? APIError(.notImplemented, "not_implemented", "This HTTP method is not supported.")
            : APIError.badRequest("The request could not be read.")
        let body = ByteBuffer(string: refusal.envelope(requestID: RequestIDMiddleware.generate()).canonicalText)
        var fields = HTTPFields()
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.contentLength] = String(body.readableBytes)
        fields[.connection] = "close"
        context.write(wrapOutboundOut(.head(HTTPResponse(status: refusal.status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
