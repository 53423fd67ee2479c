package dev.llmproxy.proxy.config;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * {@code allowed_fails_policy}: how many failures of each kind a deployment may have within a cooldown period before
 * it is cooled down; a {@code null} field falls back to {@code allowed_fails}. Field names are LiteLLM's.
 *
 * @param badRequest {@code BadRequestErrorAllowedFails}
 * @param authentication {@code AuthenticationErrorAllowedFails}
 * @param timeout {@code TimeoutErrorAllowedFails}
 * @param rateLimit {@code RateLimitErrorAllowedFails}
 * @param contentPolicyViolation {@code ContentPolicyViolationErrorAllowedFails}
 * @param internalServer {@code InternalServerErrorAllowedFails} (500 and other 5xx not named below)
 * @param serviceUnavailable {@code ServiceUnavailableErrorAllowedFails} (503)
 * @param badGateway {@code BadGatewayErrorAllowedFails} (502 and connection failures)
 * @param notFound {@code NotFoundErrorAllowedFails} (404)
 */
public record AllowedFailsPolicy(
        @Nullable Integer badRequest,
        @Nullable Integer authentication,
        @Nullable Integer timeout,
        @Nullable Integer rateLimit,
        @Nullable Integer contentPolicyViolation,
        @Nullable Integer internalServer,
        @Nullable Integer serviceUnavailable,
        @Nullable Integer badGateway,
        @Nullable Integer notFound) {

    /** The keys accepted in the config, in the order of the components. */
    public static final List<String> KEYS = List.of("BadRequestErrorAllowedFails", "AuthenticationErrorAllowedFails",
            "TimeoutErrorAllowedFails", "RateLimitErrorAllowedFails", "ContentPolicyViolationErrorAllowedFails",
            "InternalServerErrorAllowedFails", "ServiceUnavailableErrorAllowedFails", "BadGatewayErrorAllowedFails",
            "NotFoundErrorAllowedFails");

    public AllowedFailsPolicy {
        for (Integer value : new Integer[] {badRequest, authentication, timeout, rateLimit, contentPolicyViolation,
                internalServer, serviceUnavailable, badGateway, notFound}) {
            if (value != null && value < 0) {
                throw new IllegalArgumentException("allowed fails: " + value + " (expected: >= 0)");
            }
        }
    }
}
