package dev.llmproxy.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Retries, fallbacks, cooldowns and proxy-wide parallel limits, gathered from {@code router_settings} (which wins),
 * {@code litellm_settings} and {@code general_settings}. Read by {@link ReliabilitySettingsReader}.
 *
 * @param numRetries {@code num_retries}: retries of a failed call within its model group; {@code null} for the
 *     default ({@link #DEFAULT_NUM_RETRIES}, LiteLLM's {@code openai.DEFAULT_MAX_RETRIES})
 * @param retryPolicy {@code retry_policy}
 * @param groupRetryPolicies {@code model_group_retry_policy}: group name → policy, winning over {@code retry_policy}
 * @param retryAfter {@code retry_after}: the least wait before retrying on a deployment already tried (default 0)
 * @param fallbacks {@code fallbacks}: group (or {@code *}) → the groups to try next, in order
 * @param contextWindowFallbacks {@code context_window_fallbacks}, for a provider's context-length error
 * @param contentPolicyFallbacks {@code content_policy_fallbacks}, for a provider's content-policy refusal
 * @param defaultFallbacks {@code default_fallbacks}: the groups for any group without its own entry
 * @param maxFallbacks {@code max_fallbacks}: the most fallback groups one call tries (default 5)
 * @param allowedFails {@code allowed_fails}, or {@code null} when not set (see {@link #DEFAULT_ALLOWED_FAILS})
 * @param allowedFailsPolicy {@code allowed_fails_policy}, or {@code null}
 * @param cooldownTime {@code cooldown_time} (default 5 s; zero turns cooldowns off)
 * @param disableCooldowns {@code disable_cooldowns}
 * @param maxParallelRequests {@code general_settings.max_parallel_requests}: the default
 *     {@code max_parallel_requests} of every deployment without its own, or {@code null}
 * @param globalMaxParallelRequests {@code general_settings.global_max_parallel_requests}: model calls in flight across
 *     the proxy, or {@code null} for no limit
 * @param allowMockTesting {@code general_settings.dangerously_allow_mock_testing_request_params}: whether requests
 *     may carry LiteLLM's {@code mock_testing_*} parameters (refused with a 400 otherwise, as LiteLLM does)
 * @param exposeFallbackErrors {@code general_settings.expose_fallback_errors_to_caller}: whether a request asking with
 *     {@code include_fallback_errors} gets the {@code x-litellm-fallback-errors} header
 */
public record ReliabilitySettings(
        @Nullable Integer numRetries,
        RetryPolicy retryPolicy,
        Map<String, RetryPolicy> groupRetryPolicies,
        Duration retryAfter,
        Map<String, List<String>> fallbacks,
        Map<String, List<String>> contextWindowFallbacks,
        Map<String, List<String>> contentPolicyFallbacks,
        List<String> defaultFallbacks,
        int maxFallbacks,
        @Nullable Integer allowedFails,
        @Nullable AllowedFailsPolicy allowedFailsPolicy,
        Duration cooldownTime,
        boolean disableCooldowns,
        @Nullable Long maxParallelRequests,
        @Nullable Long globalMaxParallelRequests,
        boolean allowMockTesting,
        boolean exposeFallbackErrors) {

    /** Retries when {@code num_retries} is not set anywhere. */
    public static final int DEFAULT_NUM_RETRIES = 2;

    /** LiteLLM's {@code ROUTER_MAX_FALLBACKS}. */
    public static final int DEFAULT_MAX_FALLBACKS = 5;

    /** LiteLLM's {@code DEFAULT_ALLOWED_FAILS}; setting exactly this value counts as not setting it, as in LiteLLM. */
    public static final int DEFAULT_ALLOWED_FAILS = 3;

    /** LiteLLM's {@code DEFAULT_COOLDOWN_TIME_SECONDS}. */
    public static final Duration DEFAULT_COOLDOWN_TIME = Duration.ofSeconds(5);

    /** Nothing configured. */
    public static final ReliabilitySettings DEFAULTS = new ReliabilitySettings(null, RetryPolicy.NONE, Map.of(),
            Duration.ZERO, Map.of(), Map.of(), Map.of(), List.of(), DEFAULT_MAX_FALLBACKS, null, null,
            DEFAULT_COOLDOWN_TIME, false, null, null);

    /** Settings with neither mock testing parameters nor fallback errors for callers. */
    public ReliabilitySettings(@Nullable Integer numRetries, RetryPolicy retryPolicy,
            Map<String, RetryPolicy> groupRetryPolicies, Duration retryAfter, Map<String, List<String>> fallbacks,
            Map<String, List<String>> contextWindowFallbacks, Map<String, List<String>> contentPolicyFallbacks,
            List<String> defaultFallbacks, int maxFallbacks, @Nullable Integer allowedFails,
            @Nullable AllowedFailsPolicy allowedFailsPolicy, Duration cooldownTime, boolean disableCooldowns,
            @Nullable Long maxParallelRequests, @Nullable Long globalMaxParallelRequests) {
        this(numRetries, retryPolicy, groupRetryPolicies, retryAfter, fallbacks, contextWindowFallbacks,
                contentPolicyFallbacks, defaultFallbacks, maxFallbacks, allowedFails, allowedFailsPolicy, cooldownTime,
                disableCooldowns, maxParallelRequests, globalMaxParallelRequests, false, false);
    }

    public ReliabilitySettings {
        requireNonNull(retryPolicy, "retryPolicy");
        groupRetryPolicies = Map.copyOf(groupRetryPolicies);
        requireNonNull(retryAfter, "retryAfter");
        fallbacks = Map.copyOf(fallbacks);
        contextWindowFallbacks = Map.copyOf(contextWindowFallbacks);
        contentPolicyFallbacks = Map.copyOf(contentPolicyFallbacks);
        defaultFallbacks = List.copyOf(defaultFallbacks);
        requireNonNull(cooldownTime, "cooldownTime");
        if (numRetries != null && numRetries < 0) {
            throw new IllegalArgumentException("numRetries: " + numRetries + " (expected: >= 0)");
        }
        if (maxFallbacks < 0) {
            throw new IllegalArgumentException("maxFallbacks: " + maxFallbacks + " (expected: >= 0)");
        }
        if (allowedFails != null && allowedFails < 0) {
            throw new IllegalArgumentException("allowedFails: " + allowedFails + " (expected: >= 0)");
        }
        if (retryAfter.isNegative() || cooldownTime.isNegative()) {
            throw new IllegalArgumentException("retryAfter, cooldownTime: " + retryAfter + ", " + cooldownTime
                    + " (expected: >= 0)");
        }
    }

    /** The retries a call gets when neither the request, the deployment nor a policy says otherwise. */
    public int effectiveNumRetries() {
        return numRetries == null ? DEFAULT_NUM_RETRIES : numRetries;
    }

    /**
     * Whether failures are counted against an allowance ({@code allowed_fails} changed from its default, or an
     * {@code allowed_fails_policy}), rather than judged by LiteLLM's default rules.
     */
    public boolean countsAllowedFails() {
        return allowedFailsPolicy != null || (allowedFails != null && allowedFails != DEFAULT_ALLOWED_FAILS);
    }
}
