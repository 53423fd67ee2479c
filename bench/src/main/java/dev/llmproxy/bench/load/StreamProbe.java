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
    private long[] arrivals = new long[0];

    StreamProbe(int expectedEvents, long intervalNanos) {
        this.expectedEvents = expectedEvents;
        this.intervalNanos = intervalNanos;
        this.arrivals = new long[expectedEvents + 4];
    }

    void reset(long sentNanos) {
        this.sentNanos = sentNanos;
        firstNanos = -1;
        previousNanos = -1;
        events = 0;
        largestGapNanos = 0;
        maxEventsPerRead = 0;
    }

    /** {@code count} content events arrived in one read at {@code now}. */
    void onEvents(int count, long now) {
        maxEventsPerRead = Math.max(maxEventsPerRead, count);
        for (int i = 0; i < count; i++) {
            int index = events++;
            if (index == 0) {
                firstNanos = now;
            } else {
                largestGapNanos = Math.max(largestGapNanos, now - previousNanos);
            }
            if (index == arrivals.length) {
                arrivals = Arrays.copyOf(arrivals, arrivals.length * 2);
            }
            arrivals[index] = now;
            previousNanos = now;
        }
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
     * Complete, and no content event {@code k} arrived earlier than {@code t0 + (k - extra) * interval - interval / 2},
     * where {@code t0} is the first content event's arrival and {@code extra} how many content events beyond the
     * expected ones the stream had (a proxy that split one upstream event's content in two).
     */
    boolean isUnbuffered() {
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
