import ArgumentParser
import Foundation
import PSCAdmin
import PSCCore

/// `psc-admin [--socket PATH] [--json] COMMAND …`: sends one command over the admin socket and prints the reply.
/// Exit status: 0 on success, 1 when the server answered an error, 2 for usage errors, 3 when the socket cannot
/// be reached, 4 when access is denied.
@main
struct PSCAdminCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "psc-admin",
        abstract: "Administer a running PittState Connect over its admin socket.",
        discussion: """
            Commands: status, health, checkpoint, migrations, backup [DEST], backup list, backup verify FILE,
            config check, config show, audit verify.
            """
    )

    @Option(help: "The admin socket (default: PSC_ADMIN_SOCKET, else admin.sock in PSC_DATA_DIR or ./data, else /run/psc/admin.sock).")
    var socket: String?
    @Flag(help: "Print the reply as one line of JSON.") var json = false
    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments.") var words: [String] = []

    func run() throws {
        guard let command = words.first else {
            throw ValidationError("name a command, for example: psc-admin status")
        }
        let socketPath = socket ?? AdminClient.defaultSocketPath()
        let reply: AdminReply
        do {
            let request = AdminRequest(command: command, args: Self.absolutePaths(command: command, Array(words.dropFirst())))
            reply = try AdminClient.send(request, socketPath: socketPath)
        } catch {
            FileHandle.standardError.write(Data("psc-admin: \(error)\n".utf8))
            throw ExitCode(3)
        }
        if json {
            print(String(decoding: reply.encoded(), as: UTF8.self), terminator: "")
        } else if reply.ok {
            print(ReplyFormatter.text(reply.result), terminator: "")
        }
        guard reply.ok else {
            FileHandle.standardError.write(Data("psc-admin: \(reply.message ?? reply.error ?? "the command failed")\n".utf8))
            throw ExitCode(reply.error == "access_denied" ? 4 : 1)
        }
    }
}

extension PSCAdminCommand {
    /// File arguments are resolved here, against the operator's working directory, not the server's.
    static func absolutePaths(command: String, _ args: [String]) -> [String] {
        func absolute(_ path: String) -> String {
            path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
        }
        switch (command, args.count) {
        case ("backup", 1) where !["list", "verify"].contains(args[0]): return [absolute(args[0])]
        case ("backup", 2) where args[0] == "verify": return ["verify", absolute(args[1])]
        default: return args
        }
    }
}

/// A readable rendering of a reply: `key: value` lines, nested objects indented, lists one item per line.
enum ReplyFormatter {
    static func text(_ value: JSONValue, indent: String = "") -> String {
        switch value {
        case .object(let members):
            var output = ""
            for key in members.keys.sorted() {
                let member = members[key]!
                switch member {
                case .object, .array:
                    output += "\(indent)\(key):\n" + text(member, indent: indent + "  ")
                default:
                    output += "\(indent)\(key): \(scalar(member))\n"
                }
            }
            return output
        case .array(let items):
            if items.isEmpty { return "\(indent)(none)\n" }
            return items.map { item -> String in
                if case .object = item { return text(item, indent: indent + "  ").replacingFirstIndent(with: indent + "- ") }
                return "\(indent)- \(scalar(item))\n"
            }.joined()
        default:
            return indent + scalar(value) + "\n"
        }
    }

    static func scalar(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .int(let number): String(number)
        case .string(let text): text
        default: value.canonicalText
        }
    }
}

extension String {
    fileprivate func replacingFirstIndent(with prefix: String) -> String {
        let trimmed = drop { $0 == " " }
        return prefix + trimmed
    }
}
