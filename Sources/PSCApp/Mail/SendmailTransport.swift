import Foundation
import PSCCore
import PSCWeb

/// Runs `mail.sendmail_path -t -i` with the message on standard input; a non-zero exit is a failure.
struct SendmailTransport: MailTransport {
    let path: String

    func send(_ message: MailMessage) async throws {
        let path = path
        try await Offload.run {
            let process = Process()
            if path.contains("/") {
                process.executableURL = URL(fileURLWithPath: path)
                process.arguments = ["-t", "-i"]
            } else {
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = [path, "-t", "-i"]
            }
            let input = Pipe()
            process.standardInput = input
            process.standardOutput = FileHandle.nullDevice
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            input.fileHandleForWriting.write(Data(message.rendered.utf8))
            try input.fileHandleForWriting.close()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                let why = String(decoding: errors.fileHandleForReading.readDataToEndOfFile().prefix(300), as: UTF8.self)
                throw SMTPMailTransport.Failure(code: nil, text: "sendmail exited with \(process.terminationStatus): \(why)")
            }
        }
    }
}
