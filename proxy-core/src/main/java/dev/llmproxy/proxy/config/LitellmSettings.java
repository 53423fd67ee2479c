package dev.llmproxy.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@code litellm_settings} section.
 *
 * @param requestTimeout {@code request_timeout}, the last-resort upstream timeout (LiteLLM's default: 6000 s)
 * @param sslVerify {@code ssl_verify}, or {@code null} for the default (verify with the system trust store)
 * @param prometheus the {@code /metrics} keys
 * @param callbacks the callback and log format keys
 * @param other every key not modelled above (reported in {@link ProxyConfig#ignoredKeys()}), values resolved
 */
public record LitellmSettings(
        Duration requestTimeout, @Nullable SslVerify sslVerify, PrometheusSettings prometheus,
        CallbackSettings callbacks, Map<String, @Nullable Object> other) {

    /** LiteLLM's {@code request_timeout} default ({@code litellm.request_timeout = 6000}). */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(6000);

    /** An absent section. */
    public static final LitellmSettings DEFAULTS = new LitellmSettings(DEFAULT_REQUEST_TIMEOUT, null,
            PrometheusSettings.DEFAULTS, CallbackSettings.DEFAULTS, Map.of());

    public LitellmSettings {
        requireNonNull(requestTimeout, "requestTimeout");
        requireNonNull(prometheus, "prometheus");
        requireNonNull(callbacks, "callbacks");
        requireNonNull(other, "other");
    }

    /** The same without callbacks (the form before they were modelled). */
    public LitellmSettings(Duration requestTimeout, @Nullable SslVerify sslVerify, PrometheusSettings prometheus,
            Map<String, @Nullable Object> other) {
        this(requestTimeout, sslVerify, prometheus, CallbackSettings.DEFAULTS, other);
    }

    /**
     * {@code drop_params}: whether request parameters a provider does not support are dropped rather than refused
     * with a 400, for every deployment that does not set its own.
     */
    public boolean dropParams() {
        Object value = other.get("drop_params");
        return value instanceof Boolean drop ? drop : value != null && value.toString().equalsIgnoreCase("true");
    }

    /** Leaves out the values of {@link #other()}, which may hold secrets (passwords, URLs with credentials). */
    @Override
    public String toString() {
        return "LitellmSettings[requestTimeout=" + requestTimeout + ", sslVerify=" + sslVerify + ", prometheus="
                + prometheus + ", callbacks=" + callbacks + ", other="
                + other.keySet() + ']';
    }
}
