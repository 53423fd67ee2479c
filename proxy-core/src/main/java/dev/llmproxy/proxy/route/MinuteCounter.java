package dev.llmproxy.proxy.route;

import java.util.concurrent.atomic.AtomicLong;

/*
 * Implementation notes.
 *
 * One word holds the calendar minute (UTC, epoch millis / 60 000, modulo 2^19: about a year) and the count of that
 * minute (44 bits, saturating at 2^44 - 1). add() is one CAS loop: a word of another minute counts as 0, so the first
 * add of a new minute starts it afresh; read() answers 0 for a word of another minute. The loop retries only when
 * another thread changed the word in between, which it did by adding, so every thread finishes after at most as many
 * rounds as there are concurrent adds. A counter left untouched for exactly a multiple of 2^19 minutes would be read
 * as current: it steers a routing preference only (limits are enforced by the limiter), so that is harmless.
 */
/**
 * A count per calendar minute (UTC) for routing preferences: requests or tokens sent to a deployment in the current
 * minute, as LiteLLM's usage-based routing reads them. Thread-safety: lock-free; add and read allocate nothing.
 */
final class MinuteCounter {
    private static final int COUNT_BITS = 44;
    private static final long COUNT_MASK = (1L << COUNT_BITS) - 1;
    private static final long MINUTE_MASK = (1L << (63 - COUNT_BITS)) - 1;

    /** Written by any event loop (CAS), read by any. */
    private final AtomicLong word = new AtomicLong();

    /** Adds {@code delta} (>= 0) to the minute of {@code nowMillis}. */
    void add(long nowMillis, long delta) {
        long minute = minute(nowMillis);
        for (;;) {
            long seen = word.get();
            long count = (seen >>> COUNT_BITS) == minute ? seen & COUNT_MASK : 0;
            long next = (minute << COUNT_BITS) | Math.min(COUNT_MASK, count + delta);
            if (seen == next || word.compareAndSet(seen, next)) {
                return;
            }
        }
    }

    /** The count of the minute of {@code nowMillis}. */
    long read(long nowMillis) {
        long seen = word.get();
        return (seen >>> COUNT_BITS) == minute(nowMillis) ? seen & COUNT_MASK : 0;
    }

    private static long minute(long nowMillis) {
        return Math.floorDiv(nowMillis, 60_000L) & MINUTE_MASK;
    }
}
