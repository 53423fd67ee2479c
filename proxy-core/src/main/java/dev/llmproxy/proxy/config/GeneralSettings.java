package dev.llmproxy.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@code general_settings} section. {@link #toString()} masks the master key.
 *
 * @param masterKey {@code master_key} (else the {@code LITELLM_MASTER_KEY} environment variable); starts with
 *     {@code sk-}; {@code null} when neither is set (LiteLLM then runs without authentication)
 * @param maxRequestBodyBytes {@code max_request_size_mb} in bytes (MiB, as LiteLLM computes it). LiteLLM has no limit
 *     by default; llmproxy buffers request bodies, so it defaults to {@link #DEFAULT_MAX_REQUEST_BODY_BYTES} (32 MiB)
 * @param keepaliveTimeout {@code keepalive_timeout}: how long an idle client connection is kept open; an llmproxy
 *     extension (LiteLLM has it as the {@code --keepalive_timeout} option); {@code null} for the server default
 * @param clientHeaderTimeout {@code client_header_timeout}: how long a request head may take to arrive (408 after
 *     it); an llmproxy extension named after nginx's; {@code null} for the server default
 * @param clientBodyTimeout {@code client_body_timeout}: the longest silence within a request body (408 after it); an
 *     llmproxy extension named after nginx's; {@code null} for the server default
 * @param maxBufferedRequestBytes {@code max_buffered_requests_mb} in bytes: the most request body bytes held in
 *     memory at once across all connections (503 beyond); an llmproxy extension; 0 for the server default (half of
 *     the direct memory limit)
 * @param corsAllowOrigins {@code cors_allow_origins}: the origins browsers may call from (a list, or one string with
 *     commas); {@code null} when not set, which allows any origin as LiteLLM does
 * @param corsAllowCredentials {@code cors_allow_credentials}; {@code null} when not set (true without
 *     {@code cors_allow_origins}, false with it, as LiteLLM)
 * @param clientIps {@code allowed_ips}, {@code use_x_forwarded_for} and {@code forwarded_allow_ips}
 * @param healthChecks {@code background_health_checks} and {@code health_check_interval}
 * @param other every key not modelled above (reported in {@link ProxyConfig#ignoredKeys()}), values resolved
 * @param maxUploadBytes {@code max_upload_size_mb} in bytes: the largest upload (multipart body streamed to the
 *     provider, never held whole) accepted; an llmproxy extension; 0 for the server default (1 GiB)
 */
public record GeneralSettings(
        @Nullable String masterKey,
        long maxRequestBodyBytes,
        @Nullable Duration keepaliveTimeout,
        @Nullable Duration clientHeaderTimeout,
        @Nullable Duration clientBodyTimeout,
        long maxBufferedRequestBytes,
        @Nullable List<String> corsAllowOrigins,
        @Nullable Boolean corsAllowCredentials,
        ClientIpSettings clientIps,
        HealthCheckSettings healthChecks,
        Map<String, @Nullable Object> other,
        long maxUploadBytes,
        List<PassThroughEndpoint> passThroughEndpoints) {

    /** The request body limit when {@code max_request_size_mb} is not set: 32 MiB. */
    public static final long DEFAULT_MAX_REQUEST_BODY_BYTES = 32L * 1024 * 1024;

    public GeneralSettings {
        requireNonNull(clientIps, "clientIps");
        requireNonNull(other, "other");
        requireNonNull(healthChecks, "healthChecks");
        if (maxRequestBodyBytes <= 0) {
            throw new IllegalArgumentException("maxRequestBodyBytes: " + maxRequestBodyBytes + " (expected: > 0)");
        }
        if (maxBufferedRequestBytes < 0) {
            throw new IllegalArgumentException(
                    "maxBufferedRequestBytes: " + maxBufferedRequestBytes + " (expected: >= 0)");
        }
        if (maxUploadBytes < 0) {
            throw new IllegalArgumentException("maxUploadBytes: " + maxUploadBytes + " (expected: >= 0)");
        }
        corsAllowOrigins = corsAllowOrigins == null ? null : List.copyOf(corsAllowOrigins);
        passThroughEndpoints = List.copyOf(passThroughEndpoints);
    }

    @Override
    public String toString() {
        return "GeneralSettings[masterKey=" + (masterKey == null ? "null" : "****") + ", maxRequestBodyBytes="
                + maxRequestBodyBytes + ", keepaliveTimeout=" + keepaliveTimeout + ", clientHeaderTimeout="
                + clientHeaderTimeout + ", clientBodyTimeout=" + clientBodyTimeout + ", maxBufferedRequestBytes="
                + maxBufferedRequestBytes + ", maxUploadBytes=" + maxUploadBytes + ", passThroughEndpoints="
                + passThroughEndpoints + ", corsAllowOrigins=" + corsAllowOrigins + ", corsAllowCredentials="
                + corsAllowCredentials + ", clientIps=" + clientIps + ", healthChecks=" + healthChecks + ", other="
                + other.keySet() + ']';
    }
}
