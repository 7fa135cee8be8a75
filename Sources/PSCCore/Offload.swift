import Dispatch

/// Runs blocking work (a synchronous database call, a backup, a checkpoint) on a dispatch queue and resumes the
/// caller when it is done, so the few threads of the cooperative pool that serve HTTP are never held by it.
public enum Offload {
    private static let queue = DispatchQueue(label: "psc.offload", attributes: .concurrent)

    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}
