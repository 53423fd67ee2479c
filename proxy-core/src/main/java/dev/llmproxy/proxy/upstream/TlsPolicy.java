package dev.llmproxy.proxy.upstream;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * How an upstream's TLS certificate is checked: LiteLLM's {@code ssl_verify}, which is {@code true}, {@code false}
 * or the path of a CA bundle to trust instead of the system's.
 *
 * @param verify whether the certificate chain and host name are verified
 * @param caBundle PEM file of trusted CAs replacing the JDK's default trust store, or null
 */
public record TlsPolicy(boolean verify, @Nullable Path caBundle) {

    /** Verify against the JDK's trust store (the default). */
    public static final TlsPolicy VERIFY = new TlsPolicy(true, null);

    /** Trust any certificate ({@code ssl_verify: false}). */
    public static final TlsPolicy INSECURE = new TlsPolicy(false, null);

    /** Verify against the CAs in {@code caBundle}. */
    public static TlsPolicy trusting(Path caBundle) {
        return new TlsPolicy(true, caBundle);
    }
}
