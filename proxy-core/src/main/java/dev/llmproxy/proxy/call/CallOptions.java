package dev.llmproxy.proxy.call;

import dev.llmproxy.codec.json.RouterParams;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What the client asked of this one call, on top of the config: LiteLLM's {@code x-litellm-num-retries} and
 * {@code x-litellm-timeout} request headers, and its router parameters in the body ({@link RouterParams}).
 *
 * @param numRetries retries within a model group, or -1 to follow the config
 * @param timeoutNanos the timeout of each attempt, replacing the deployment's, or 0 to follow the config
 * @param fallbacks the groups to fall back to, replacing the configured {@code fallbacks}, or null
 * @param contextWindowFallbacks replaces {@code context_window_fallbacks} when not null
 * @param contentPolicyFallbacks replaces {@code content_policy_fallbacks} when not null
 * @param maxFallbacks replaces {@code max_fallbacks} when >= 0
 * @param disableFallbacks no fallback at all for this call
 * @param includeFallbackErrors the caller asks for {@code x-litellm-fallback-errors}
 * @param mockTestingParams LiteLLM's {@code mock_testing_*} parameters the body carried (whatever their values)
 * @param mockFailure the {@code mock_testing_*} parameter set to true, naming the failure to pretend, or null
 */
public record CallOptions(
        int numRetries,
        long timeoutNanos,
        @Nullable List<String> fallbacks,
        @Nullable Map<String, List<String>> contextWindowFallbacks,
        @Nullable Map<String, List<String>> contentPolicyFallbacks,
        int maxFallbacks,
        boolean disableFallbacks,
        boolean includeFallbackErrors,
        List<String> mockTestingParams,
        @Nullable String mockFailure) {

    /** Nothing asked: the config decides. */
    public static final CallOptions DEFAULT = new CallOptions(-1, 0);

    /** The request header that sets {@link #numRetries}. */
    public static final String NUM_RETRIES_HEADER = "x-litellm-num-retries";
    /** The request header that sets {@link #timeoutNanos}, in seconds. */
    public static final String TIMEOUT_HEADER = "x-litellm-timeout";

    public CallOptions {
        mockTestingParams = List.copyOf(mockTestingParams);
        if (numRetries < -1) {
            throw new IllegalArgumentException("numRetries: " + numRetries + " (expected: >= 0, or -1)");
        }
        if (timeoutNanos < 0) {
            throw new IllegalArgumentException("timeoutNanos: " + timeoutNanos + " (expected: >= 0)");
        }
    }

    /** Retries and timeout only. */
    public CallOptions(int numRetries, long timeoutNanos) {
        this(numRetries, timeoutNanos, null, null, null, -1, false, false, List.of(), null);
    }

    /**
     * {@code x-litellm-timeout} as the response echoes it: the request's timeout in seconds, without trailing zeros;
     * null when the request set none.
     */
    public @Nullable String timeoutHeader() {
        if (timeoutNanos == 0) {
            return null;
        }
        return BigDecimal.valueOf(timeoutNanos, 9).stripTrailingZeros().toPlainString();
    }

    /** These options with the body's router parameters where the headers set nothing (the headers win). */
    public CallOptions withBody(RouterParams params) {
        long bodyTimeout = params.timeoutSeconds() > 0 ? Math.max(1, Math.round(params.timeoutSeconds() * 1e9)) : 0;
        return new CallOptions(numRetries >= 0 ? numRetries : params.numRetries(),
                timeoutNanos > 0 ? timeoutNanos : bodyTimeout, params.fallbacks(), params.contextWindowFallbacks(),
                params.contentPolicyFallbacks(), params.maxFallbacks(), params.disableFallbacks(),
                params.includeFallbackErrors(), params.mockTestingParams(), params.mockFailure());
    }

    /**
     * The options of LiteLLM's request headers ({@code x-litellm-num-retries}: a whole number >= 0;
     * {@code x-litellm-timeout}: seconds > 0); null values are absent headers.
     *
     * @throws IllegalArgumentException with a message for the client when a value is not valid
     */
    public static CallOptions fromHeaders(@Nullable String numRetries, @Nullable String timeout) {
        if (numRetries == null && timeout == null) {
            return DEFAULT;
        }
        int retries = -1;
        if (numRetries != null) {
            try {
                retries = Integer.parseInt(numRetries.trim());
            } catch (NumberFormatException e) {
                retries = -1;
            }
            if (retries < 0) {
                throw new IllegalArgumentException(NUM_RETRIES_HEADER + " must be a whole number >= 0");
            }
        }
        long nanos = 0;
        if (timeout != null) {
            double seconds;
            try {
                seconds = Double.parseDouble(timeout.trim());
            } catch (NumberFormatException e) {
                seconds = -1;
            }
            if (!(seconds > 0) || seconds > 1e6) {
                throw new IllegalArgumentException(TIMEOUT_HEADER + " must be a number of seconds > 0");
            }
            nanos = Math.max(1, Math.round(seconds * 1e9));
        }
        return new CallOptions(retries, nanos);
    }
}
