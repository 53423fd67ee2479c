package dev.llmproxy.bench.load;

/**
 * What one SSE stream looked like from the client: first-event time, largest gap between consecutive events, and
 * whether the events kept the upstream pacing ("unbuffered", defined in {@link StreamPlan}).
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
    private boolean paced;

    StreamProbe(int expectedEvents, long intervalNanos) {
        this.expectedEvents = expectedEvents;
        this.intervalNanos = intervalNanos;
    }

    void reset(long sentNanos) {
        this.sentNanos = sentNanos;
        firstNanos = -1;
        previousNanos = -1;
        events = 0;
        largestGapNanos = 0;
        maxEventsPerRead = 0;
        paced = true;
    }

    /** {@code count} events arrived in one read at {@code now}. */
    void onEvents(int count, long now) {
        maxEventsPerRead = Math.max(maxEventsPerRead, count);
        for (int i = 0; i < count; i++) {
            int index = events++;
            if (index == 0) {
                firstNanos = now;
            } else {
                largestGapNanos = Math.max(largestGapNanos, now - previousNanos);
                if (index < expectedEvents && now - firstNanos < index * intervalNanos - intervalNanos / 2) {
                    paced = false;
                }
            }
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

    boolean isUnbuffered() {
        return paced && isComplete();
    }
}
