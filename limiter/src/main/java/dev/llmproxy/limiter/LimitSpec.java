package dev.llmproxy.limiter;

import static java.util.Objects.requireNonNull;

import java.time.ZoneId;

/**
 * The limits of one {@link LimitSet}; {@link #NONE} (-1) marks an absent limit, 0 refuses every call. Thread-safety:
 * immutable.
 *
 * @param requestsPerMinute calls admitted per calendar minute (UTC minutes, as LiteLLM counts), or {@link #NONE}
 * @param tokensPerMinute tokens charged per calendar minute, or {@link #NONE}; a call is admitted while the minute's
 *     charged tokens are below it, and charged when it ends (see {@link LimitSet#release})
 * @param requestsPerDay calls admitted per day, a day running from midnight to midnight in {@code dayZone}, or
 *     {@link #NONE}
 * @param maxParallelRequests calls admitted and not yet released, or {@link #NONE}
 * @param dayZone where the day of {@code requestsPerDay} starts and ends (DST included: a day may last 23 or 25 hours)
 */
public record LimitSpec(
        long requestsPerMinute, long tokensPerMinute, long requestsPerDay, long maxParallelRequests, ZoneId dayZone) {

    /** The value of an absent limit. */
    public static final long NONE = -1;

    /** Google resets its daily quotas at midnight Pacific time; so do we unless told otherwise. */
    public static final ZoneId DEFAULT_DAY_ZONE = ZoneId.of("America/Los_Angeles");

    /** A set without limits: every call is admitted. */
    public static final LimitSpec UNLIMITED = new LimitSpec(NONE, NONE, NONE, NONE, DEFAULT_DAY_ZONE);

    public LimitSpec {
        check("requestsPerMinute", requestsPerMinute);
        check("tokensPerMinute", tokensPerMinute);
        check("requestsPerDay", requestsPerDay);
        check("maxParallelRequests", maxParallelRequests);
        requireNonNull(dayZone, "dayZone");
    }

    /** Whether any limit is set. */
    public boolean isLimited() {
        return requestsPerMinute != NONE || tokensPerMinute != NONE || requestsPerDay != NONE
                || maxParallelRequests != NONE;
    }

    private static void check(String name, long value) {
        if (value < NONE) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0, or NONE)");
        }
    }
}
