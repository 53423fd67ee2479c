package dev.llmproxy.proxy.server;

import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which browser origins may call the proxy (CORS), as LiteLLM has it: by default any origin, with credentials; or a
 * list of origins ({@code general_settings.cors_allow_origins}), without credentials unless
 * {@code cors_allow_credentials} says so. A list that contains {@code *} allows any origin, and then credentials are
 * always off (a browser refuses {@code *} with credentials, and echoing every origin with them would let any site
 * send the user's cookies).
 *
 * <p>Thread-safety: immutable.
 */
public final class CorsPolicy {
    /** LiteLLM's default: any origin, credentials allowed. */
    public static final CorsPolicy ANY_ORIGIN = new CorsPolicy(null, true);

    private final @Nullable Set<String> origins;
    private final boolean credentials;

    private CorsPolicy(@Nullable Set<String> origins, boolean credentials) {
        this.origins = origins;
        this.credentials = credentials;
    }

    /**
     * The policy of a config.
     *
     * @param origins {@code cors_allow_origins}, or null when not set
     * @param credentials {@code cors_allow_credentials}, or null when not set
     */
    public static CorsPolicy of(@Nullable List<String> origins, @Nullable Boolean credentials) {
        if (origins == null) {
            return credentials == null || credentials ? ANY_ORIGIN : new CorsPolicy(null, false);
        }
        if (origins.contains("*")) {
            return new CorsPolicy(null, false);
        }
        return new CorsPolicy(Set.copyOf(origins), credentials != null && credentials);
    }

    /** Whether a browser page from {@code origin} may call the proxy. */
    boolean allows(String origin) {
        return origins == null || origins.contains(origin);
    }

    /** Whether responses name the caller's origin rather than {@code *}. */
    boolean echoesOrigin() {
        return origins != null || credentials;
    }

    /** Whether browsers may send cookies and HTTP authentication along. */
    boolean allowsCredentials() {
        return credentials;
    }

    /** Whether any origin is allowed. */
    public boolean allowsAnyOrigin() {
        return origins == null;
    }

    @Override
    public String toString() {
        return "CorsPolicy[origins=" + (origins == null ? "*" : origins) + ", credentials=" + credentials + ']';
    }
}
