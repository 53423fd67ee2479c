package dev.llmproxy.limiter;

/**
 * The limits of one key (a deployment, later an API key, a user or a team), checked and taken together. A call is
 * admitted by {@link #tryAcquire} only if it passes every limit of the set, and then takes one request of each
 * request window and one parallel slot; a refused call takes nothing. Every admitted call is given back exactly once
 * with {@link #release}, which frees its parallel slot and charges the tokens it used.
 *
 * <p>Time is the caller's: every method takes the wall-clock time in epoch milliseconds, so that tests and a shared
 * backend can choose it. Windows are calendar windows of that time (see {@link LimitSpec}).
 *
 * <p>Thread-safety: implementations are thread-safe and never block; {@link #tryAcquire} and {@link #release} do not
 * allocate in the steady state.
 */
public interface LimitSet {

    /** What {@link #tryAcquire} answers when the call is admitted. */
    long ADMITTED = 0;

    /**
     * Admits a call if every limit allows it, taking what it needs; otherwise takes nothing.
     *
     * @param nowMillis the current wall-clock time, epoch milliseconds
     * @return {@link #ADMITTED}, or when refused the milliseconds (at least 1) until the limits that refused it reset;
     *     when the parallel limit refused it, at least {@link #PARALLEL_RETRY_MILLIS} (a slot frees when some call
     *     ends, which nobody can predict)
     */
    long tryAcquire(long nowMillis);

    /**
     * Gives back an admitted call: frees its parallel slot and charges {@code tokens} to the current minute's
     * tokens-per-minute window. Called exactly once per admitted call.
     *
     * @param nowMillis the current wall-clock time, epoch milliseconds
     * @param tokens the tokens the call used (0 when unknown); must be {@code >= 0}
     * @throws IllegalStateException when more calls are released than were admitted (parallel limit only)
     */
    void release(long nowMillis, long tokens);

    /**
     * The milliseconds until a call could be admitted, or 0 when one could be now; takes nothing.
     *
     * @param nowMillis the current wall-clock time, epoch milliseconds
     */
    long retryAfterMillis(long nowMillis);

    /**
     * The requests admitted in the current calendar minute (for {@code x-ratelimit-remaining-requests}); 0 when the
     * set has no requests-per-minute limit. Takes nothing.
     *
     * @param nowMillis the current wall-clock time, epoch milliseconds
     */
    long minuteRequests(long nowMillis);

    /**
     * The tokens charged to the current calendar minute (for {@code x-ratelimit-remaining-tokens}); 0 when the set
     * has no tokens-per-minute limit. Takes nothing.
     *
     * @param nowMillis the current wall-clock time, epoch milliseconds
     */
    long minuteTokens(long nowMillis);

    /** The limits this set enforces. */
    LimitSpec spec();

    /** How long a call refused by the parallel limit is told to wait, in milliseconds. */
    long PARALLEL_RETRY_MILLIS = 1_000;
}
