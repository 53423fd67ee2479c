package dev.llmproxy.proxy.call;

import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code general_settings.global_max_parallel_requests}: the model calls the proxy answers at once, across every
 * connection and event loop. Unlike LiteLLM's per-worker counter, one count covers the whole process.
 *
 * <p>Thread-safety: thread-safe and lock-free.
 */
public final class CallsInFlight {
    private final long limit;
    /** Calls admitted and not yet ended; changed by every event loop. */
    private final AtomicLong count = new AtomicLong();

    /** A limit of {@code limit} calls at once. */
    public CallsInFlight(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: > 0)");
        }
        this.limit = limit;
    }

    /** The limit. */
    public long limit() {
        return limit;
    }

    /**
     * Admits one call if fewer than the limit are in flight. The CAS retries only while other calls change the count,
     * each retry seeing a newer value, so it ends as soon as contention does.
     */
    boolean tryAcquire() {
        for (;;) {
            long current = count.get();
            if (current >= limit) {
                return false;
            }
            if (count.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    /** Ends an admitted call. */
    void release() {
        count.decrementAndGet();
    }
}
