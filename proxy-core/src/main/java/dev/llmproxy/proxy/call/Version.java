package dev.llmproxy.proxy.call;

/** The llmproxy version, from the jar manifest when packaged. */
public final class Version {
    private Version() {}

    /** The version string, or "dev" when running from classes. */
    public static String current() {
        String version = Version.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
