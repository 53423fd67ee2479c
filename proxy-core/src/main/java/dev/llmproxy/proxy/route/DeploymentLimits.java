package dev.llmproxy.proxy.route;

/**
 * A deployment's quotas, resolved once when the config loads: {@code rpm}, {@code tpm}, {@code rpd} and
 * {@code max_parallel_requests} from {@code litellm_params} (else {@code model_info}, where LiteLLM also reads them).
 * {@link #NONE} (-1) marks an absent limit. Thread-safety: immutable.
 *
 * @param rpm requests per minute, or {@link #NONE}
 * @param tpm tokens per minute, or {@link #NONE}
 * @param rpd requests per day, or {@link #NONE}
 * @param maxParallelRequests calls in flight at once, or {@link #NONE}
 */
public record DeploymentLimits(long rpm, long tpm, long rpd, long maxParallelRequests) {

    /** The value of an absent limit. */
    public static final long NONE = -1;

    /** A deployment without limits. */
    public static final DeploymentLimits UNLIMITED = new DeploymentLimits(NONE, NONE, NONE, NONE);

    public DeploymentLimits {
        check("rpm", rpm);
        check("tpm", tpm);
        check("rpd", rpd);
        check("maxParallelRequests", maxParallelRequests);
    }

    /** Whether any limit is set. */
    public boolean isLimited() {
        return rpm != NONE || tpm != NONE || rpd != NONE || maxParallelRequests != NONE;
    }

    private static void check(String name, long value) {
        if (value < NONE) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0, or NONE)");
        }
    }
}
