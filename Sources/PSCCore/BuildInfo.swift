/// The version every component reports (`psc version`, `/metrics`, `psc-admin status`).
public enum BuildInfo {
    public static let version = "0.1.0"
}
