package dev.llmproxy.bench.load;

import java.util.Arrays;

/**
 * What one SSE stream looked like from the client: first-event time, largest gap between consecutive events, and
 * whether the events kept the upstream pacing ("unbuffered", defined in {@link StreamPlan}). It is told of content
 * events only (see {@link StreamShape}): the events a format puts around the content are not paced by the upstream,
 * and anchoring the pacing on one of them would judge the formats differently.
 *
 * <p>Thread-safety: confined to the connection's event loop.
 */
final class StreamProbe {

    private final int expectedEvents;
    private final long intervalNanos;
    private long sentNanos;
    private long firstNanos;
    private long previousNanos;
    private int events;
    private long largestGapNanos;
    private int maxEventsPerRead;
    private long[] arrivals;
    /** Each event's send stamp, {@link SseEventScanner#NO_STAMP} where it had none. */
    private long[] sends;

    StreamProbe(int expectedEvents, long intervalNanos) {
        this.expectedEvents = expectedEvents;
        this.intervalNanos = intervalNanos;
        this.arrivals = new long[expectedEvents + 4];
        this.sends = new long[expectedEvents + 4];
    }

    void reset(long sentNanos) {
        this.sentNanos = sentNanos;
        firstNanos = -1;
        previousNanos = -1;
        events = 0;
        largestGapNanos = 0;
        maxEventsPerRead = 0;
    }

    /** {@code count} content events without send stamps arrived in one read at {@code now}. */
    void onEvents(int count, long now) {
        maxEventsPerRead = Math.max(maxEventsPerRead, count);
        for (int i = 0; i < count; i++) {
            onEvent(SseEventScanner.NO_STAMP, now);
        }
    }

    /** {@code count} content events arrived in one read at {@code now}, their send stamps in {@code scanned}. */
    void onEvents(SseEventScanner scanned, int count, long now) {
        maxEventsPerRead = Math.max(maxEventsPerRead, count);
        for (int i = 0; i < count; i++) {
            onEvent(scanned.stamp(i), now);
        }
    }

    /** One content event sent at {@code sent} ({@link SseEventScanner#NO_STAMP} if unknown) arrived at {@code now}. */
    void onEvent(long sent, long now) {
        int index = events++;
        if (index == 0) {
            firstNanos = now;
        } else {
            largestGapNanos = Math.max(largestGapNanos, now - previousNanos);
        }
        if (index == arrivals.length) {
            arrivals = Arrays.copyOf(arrivals, arrivals.length * 2);
            sends = Arrays.copyOf(sends, sends.length * 2);
        }
        arrivals[index] = now;
        sends[index] = sent;
        previousNanos = now;
    }

    /** How many content events arrived. */
    int events() {
        return events;
    }

    /** When content event {@code index} arrived. */
    long arrival(int index) {
        return arrivals[index];
    }

    /** Content event {@code index}'s send stamp, or {@link SseEventScanner#NO_STAMP}. */
    long sent(int index) {
        return sends[index];
    }

    long sentNanos() {
        return sentNanos;
    }

    boolean hasFirstEvent() {
        return events > 0;
    }

    long firstEventNanos() {
        return firstNanos - sentNanos;
    }

    long largestGapNanos() {
        return largestGapNanos;
    }

    int maxEventsPerRead() {
        return maxEventsPerRead;
    }

    boolean isComplete() {
        return events >= expectedEvents;
    }

    /**
     * Paced (the rule for streams without send stamps): complete, and no content event {@code k} arrived earlier than {@code t0 + (k - extra) * interval - interval / 2},
     * where {@code t0} is the first content event's arrival and {@code extra} how many content events beyond the
     * expected ones the stream had (a proxy that split one upstream event's content in two).
     */
    boolean isPaced() {
        if (!isComplete()) {
            return false;
        }
        int extra = events - expectedEvents;
        for (int k = 1 + extra; k < events; k++) {
            if (arrivals[k] - firstNanos < (k - extra) * intervalNanos - intervalNanos / 2) {
                return false;
            }
        }
        return true;
    }
}
