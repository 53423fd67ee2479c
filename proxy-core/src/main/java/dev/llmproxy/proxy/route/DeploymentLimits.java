package dev.llmproxy.proxy.route;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.limiter.LimitSpec;
import java.time.ZoneId;

/**
 * A deployment's quotas, resolved once when the config loads: {@code rpm}, {@code tpm}, {@code rpd} and
 * {@code max_parallel_requests} from {@code litellm_params} (else {@code model_info}, where LiteLLM also reads them),
 * and the zone whose midnight starts an {@code rpd} day. {@link #NONE} (-1) marks an absent limit. Thread-safety:
 * immutable.
 *
 * @param rpm requests per minute, or {@link #NONE}
 * @param tpm tokens per minute, or {@link #NONE}
 * @param rpd requests per day, or {@link #NONE}
 * @param maxParallelRequests calls in flight at once, or {@link #NONE}
 * @param rpdResetZone where a day of {@code rpd} starts and ends ({@code rpd_reset_timezone})
 */
public record DeploymentLimits(long rpm, long tpm, long rpd, long maxParallelRequests, ZoneId rpdResetZone) {

    /** The value of an absent limit. */
    public static final long NONE = -1;

    /** A deployment without limits. */
    public static final DeploymentLimits UNLIMITED = new DeploymentLimits(NONE, NONE, NONE, NONE);

    public DeploymentLimits {
        check("rpm", rpm);
        check("tpm", tpm);
        check("rpd", rpd);
        check("maxParallelRequests", maxParallelRequests);
        requireNonNull(rpdResetZone, "rpdResetZone");
    }

    /** Limits whose days start at midnight in {@link LimitSpec#DEFAULT_DAY_ZONE}. */
    public DeploymentLimits(long rpm, long tpm, long rpd, long maxParallelRequests) {
        this(rpm, tpm, rpd, maxParallelRequests, LimitSpec.DEFAULT_DAY_ZONE);
    }

    /** Whether any limit is set. */
    public boolean isLimited() {
        return rpm != NONE || tpm != NONE || rpd != NONE || maxParallelRequests != NONE;
    }

    /** The same limits for the limiter. */
    public LimitSpec toSpec() {
        return new LimitSpec(rpm, tpm, rpd, maxParallelRequests, rpdResetZone);
    }

    private static void check(String name, long value) {
        if (value < NONE) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0, or NONE)");
        }
    }
}
