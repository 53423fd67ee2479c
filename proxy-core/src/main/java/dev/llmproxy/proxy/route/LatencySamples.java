package dev.llmproxy.proxy.route;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/*
 * Implementation notes.
 *
 * The last SIZE samples in a ring: a writer takes a slot with getAndIncrement and writes the value, then the time.
 * A reader that runs between the two writes of a slot sees the new value with the previous sample's time (or 0 for a
 * slot never written, which it skips): one sample counted under the wrong age, once. The samples steer a preference,
 * never a limit, so that race is accepted rather than paid for with a lock. LiteLLM keeps 10 samples too
 * (max_latency_list_size) but, once its list is full, overwrites only the last one; a ring keeps the latest 10.
 */
/**
 * Recent latencies of one deployment for latency-based routing: up to 10 samples, each counted while younger than the
 * configured ttl. Values are microseconds (per completion token where the response said how many).
 * Thread-safety: lock-free; recording and averaging allocate nothing.
 */
final class LatencySamples {
    static final int SIZE = 10;

    /** Written by the event loop that records a call, read by every event loop. */
    private final AtomicLongArray values = new AtomicLongArray(SIZE);
    /** Epoch milliseconds of each sample; 0 for a slot never written. */
    private final AtomicLongArray times = new AtomicLongArray(SIZE);
    private final AtomicInteger next = new AtomicInteger();

    void record(long micros, long nowMillis) {
        int slot = Math.floorMod(next.getAndIncrement(), SIZE);
        values.set(slot, Math.max(0, micros));
        times.set(slot, Math.max(1, nowMillis));
    }

    /** The mean of the samples younger than {@code ttlMillis}, or -1 when there is none. */
    long average(long nowMillis, long ttlMillis) {
        long sum = 0;
        int count = 0;
        for (int i = 0; i < SIZE; i++) {
            long time = times.get(i);
            if (time != 0 && nowMillis - time < ttlMillis) {
                sum += values.get(i);
                count++;
            }
        }
        return count == 0 ? -1 : sum / count;
    }
}
