package dev.llmproxy.proxy.config;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * {@code retry_policy} (and each entry of {@code model_group_retry_policy}): how many retries each kind of provider
 * error gets, overriding {@code num_retries} for that kind. A {@code null} field leaves the kind to
 * {@code num_retries}. Field names are LiteLLM's.
 *
 * @param badRequest {@code BadRequestErrorRetries} (400, 422 and other refusals of the request)
 * @param authentication {@code AuthenticationErrorRetries} (401)
 * @param timeout {@code TimeoutErrorRetries} (408, and the gateway's own timeouts)
 * @param rateLimit {@code RateLimitErrorRetries} (429)
 * @param contentPolicyViolation {@code ContentPolicyViolationErrorRetries} (a 400 the provider says is a content
 *     policy refusal)
 * @param internalServer {@code InternalServerErrorRetries} (5xx and connection failures; LiteLLM defines but never
 *     reads it, llmproxy honours it)
 */
public record RetryPolicy(
        @Nullable Integer badRequest,
        @Nullable Integer authentication,
        @Nullable Integer timeout,
        @Nullable Integer rateLimit,
        @Nullable Integer contentPolicyViolation,
        @Nullable Integer internalServer) {

    /** The keys accepted in the config, in the order of the components. */
    public static final List<String> KEYS = List.of("BadRequestErrorRetries", "AuthenticationErrorRetries",
            "TimeoutErrorRetries", "RateLimitErrorRetries", "ContentPolicyViolationErrorRetries",
            "InternalServerErrorRetries");

    /** A policy that overrides nothing. */
    public static final RetryPolicy NONE = new RetryPolicy(null, null, null, null, null, null);

    public RetryPolicy {
        check("badRequest", badRequest);
        check("authentication", authentication);
        check("timeout", timeout);
        check("rateLimit", rateLimit);
        check("contentPolicyViolation", contentPolicyViolation);
        check("internalServer", internalServer);
    }

    private static void check(String name, @Nullable Integer value) {
        if (value != null && value < 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0)");
        }
    }
}
