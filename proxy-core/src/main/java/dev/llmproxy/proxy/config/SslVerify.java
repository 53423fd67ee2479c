package dev.llmproxy.proxy.config;

import org.jspecify.annotations.Nullable;

/**
 * LiteLLM's {@code ssl_verify}: {@code true} (the JDK/system trust store), {@code false} (no verification), or a path
 * to a PEM CA bundle to trust instead.
 *
 * @param verify whether the upstream certificate is verified
 * @param caBundle the PEM file to trust, or {@code null} for the default trust store; only set when {@code verify}
 */
public record SslVerify(boolean verify, @Nullable String caBundle) {

    /** Verify against the default trust store (LiteLLM's default). */
    public static final SslVerify ENABLED = new SslVerify(true, null);

    /** Do not verify upstream certificates. */
    public static final SslVerify DISABLED = new SslVerify(false, null);

    public SslVerify {
        if (!verify && caBundle != null) {
            throw new IllegalArgumentException("caBundle: " + caBundle + " (expected: null when verify is false)");
        }
    }
}
