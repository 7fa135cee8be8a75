import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// Where an upload is served (UPL-2), for every feature that links to one.
enum UploadViews {
    static func url(_ id: Int64) -> String { "/api/v1/uploads/\(id)" }
}
