import Foundation
import PSCCore

/// The admin channel's wire format (ARCHITECTURE §1): one JSON object per line each way.
///
/// Request: `{"v": 1, "command": "backup", "args": ["verify", "/path"]}`.
/// Reply: `{"v": 1, "ok": true, "result": {…}}` or `{"v": 1, "ok": false, "error": "code", "message": "…"}`.
public enum AdminProtocol {
    public static let version = 1
    /// Longest request line accepted; a longer one gets an error and the connection is closed.
    public static let maximumLineBytes = 1 << 20
}

public struct AdminRequest: Sendable, Equatable {
    public let command: String
    public let args: [String]

    public init(command: String, args: [String] = []) {
        self.command = command
        self.args = args
    }

    public func encoded() -> Data {
        let object: JSONValue = [
            "v": .int(Int64(AdminProtocol.version)), "command": .string(command), "args": .array(args.map(JSONValue.string)),
        ]
        return Data((object.canonicalText + "\n").utf8)
    }

    /// Parses one line, with an answerable reason when it is not a valid request.
    public static func decode(line: Data) -> Result<AdminRequest, AdminReply> {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: line) else {
            return .failure(.failure("bad_request", "the request line is not valid JSON"))
        }
        guard case .object(let fields) = value else {
            return .failure(.failure("bad_request", "the request must be a JSON object"))
        }
        guard case .int(let version)? = fields["v"] else {
            return .failure(.failure("bad_request", "field 'v' (protocol version) must be an integer"))
        }
        guard version == AdminProtocol.version else {
            return .failure(
                .failure("unsupported_version", "protocol version \(version) is not supported; this server speaks \(AdminProtocol.version)")
            )
        }
        guard case .string(let command)? = fields["command"], !command.isEmpty else {
            return .failure(.failure("bad_request", "field 'command' must be a non-empty string"))
        }
        var args: [String] = []
        switch fields["args"] {
        case nil, .null?:
            break
        case .array(let items)?:
            for item in items {
                guard case .string(let text) = item else {
                    return .failure(.failure("bad_request", "field 'args' must be an array of strings"))
                }
                args.append(text)
            }
        default:
            return .failure(.failure("bad_request", "field 'args' must be an array of strings"))
        }
        return .success(AdminRequest(command: command, args: args))
    }
}

/// A reply on the admin channel.
public struct AdminReply: Sendable, Error, Equatable {
    public let ok: Bool
    public let result: JSONValue
    public let error: String?
    public let message: String?

    public static func success(_ result: JSONValue) -> AdminReply {
        AdminReply(ok: true, result: result, error: nil, message: nil)
    }

    public static func failure(_ code: String, _ message: String) -> AdminReply {
        AdminReply(ok: false, result: .null, error: code, message: message)
    }

    public func encoded() -> Data {
        var object: [String: JSONValue] = ["v": .int(Int64(AdminProtocol.version)), "ok": .bool(ok)]
        if ok {
            object["result"] = result
        } else {
            object["error"] = .string(error ?? "error")
            object["message"] = .string(message ?? "")
        }
        return Data((JSONValue.object(object).canonicalText + "\n").utf8)
    }

    public static func decode(line: Data) -> AdminReply? {
        guard let object = try? JSONDecoder().decode([String: JSONValue].self, from: line),
            case .bool(let ok)? = object["ok"]
        else { return nil }
        func text(_ key: String) -> String? {
            if case .string(let value)? = object[key] { return value }
            return nil
        }
        return AdminReply(ok: ok, result: object["result"] ?? .null, error: text("error"), message: text("message"))
    }
}
