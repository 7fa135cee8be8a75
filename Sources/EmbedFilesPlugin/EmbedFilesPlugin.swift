import Foundation
import PackagePlugin

/// Embeds the files a target needs at run time (migrations, fixtures, templates, static assets) into generated
/// Swift sources, so the binary carries them.
@main
struct EmbedFilesPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        let sets: [(typeName: String, folder: URL)]
        switch target.name {
        case "PSCCore":
            sets = [("EmbeddedWordLists", root.appendingPathComponent("Sources/PSCCore/WordLists"))]
        case "PSCStore":
            sets = [
                ("EmbeddedSchema", root.appendingPathComponent("schema")),
                ("EmbeddedFixtures", root.appendingPathComponent("fixtures")),
            ]
        case "PSCWeb":
            let web = root.appendingPathComponent("Sources/PSCWeb")
            sets = [
                ("EmbeddedTemplates", web.appendingPathComponent("Templates")),
                ("EmbeddedStatic", web.appendingPathComponent("Static")),
            ]
        default:
            return []
        }
        let tool = try context.tool(named: "EmbedFiles")
        return try sets.map { set in
            let names = try FileManager.default.contentsOfDirectory(atPath: set.folder.path)
                .filter { !$0.hasPrefix(".") }
                .sorted()
            let inputs = names.map { set.folder.appendingPathComponent($0) }
            let output = context.pluginWorkDirectoryURL.appendingPathComponent("\(set.typeName).swift")
            return .buildCommand(
                displayName: "Embedding \(set.folder.lastPathComponent) into \(set.typeName)",
                executable: tool.url,
                arguments: [output.path, set.typeName] + inputs.map(\.path),
                inputFiles: inputs,
                outputFiles: [output]
            )
        }
    }
}
