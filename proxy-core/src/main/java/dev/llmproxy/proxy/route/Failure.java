package dev.llmproxy.proxy.route;

import static java.util.Objects.requireNonNull;

/**
 * How one attempt failed: what the retry rules, the cooldowns and the choice of fallbacks look at.
 *
 * @param status the provider's status, or the gateway's for a failure of its own (502, 503, 408)
 * @param errorClass the kind of failure
 * @param retryAfterNanos the provider's {@code Retry-After}, or {@link #NO_RETRY_AFTER}
 */
public record Failure(int status, ErrorClass errorClass, long retryAfterNanos) {

    /** The {@code retryAfterNanos} of a failure that carried no {@code Retry-After}. */
    public static final long NO_RETRY_AFTER = -1;

    public Failure {
        requireNonNull(errorClass, "errorClass");
        if (retryAfterNanos < NO_RETRY_AFTER) {
            throw new IllegalArgumentException("retryAfterNanos: " + retryAfterNanos + " (expected: >= -1)");
        }
    }

    /** A failure known by its status alone. */
    public static Failure of(int status) {
        return new Failure(status, ErrorClass.of(status), NO_RETRY_AFTER);
    }

    /** Whether the provider said how long to wait. */
    public boolean hasRetryAfter() {
        return retryAfterNanos >= 0;
    }
}
