package dev.llmproxy.proxy.server;

import dev.llmproxy.proxy.call.StreamedBody;
import io.netty.util.internal.PlatformDependent;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server-wide budget of request body bytes held in memory at once: bodies being received and bodies of requests
 * still being answered. A request whose body does not fit is answered 503 with {@code retry-after} instead of
 * failing allocations (issue 6: ten parallel 32 MB uploads exhausted direct memory).
 *
 * <p>Reserved by {@link RequestAggregator} as a body arrives (its declared length at once, or chunk by chunk), handed
 * with the aggregated request to {@link ClientHandler}, which gives it back when the request's answer is done or the
 * request is dropped. An upload's body counts only for the bytes its {@link StreamedBody} holds (those before its model
 * field, then the first MiB kept for a retry), reserved and given back there.
 *
 * <p>Thread-safety: shared by every event loop. {@link #tryReserve} is a CAS loop on one {@link AtomicLong}: it
 * publishes nothing but the count, retries only when another loop changed the count in between (so it terminates
 * once contention stops), and never lets the count pass the limit.
 */
final class RequestBudget implements StreamedBody.HeldBytes {
    /** The share of Netty's direct memory limit that request bodies may fill by default: the rest is for responses. */
    static final int DEFAULT_SHARE_PERCENT = 50;
    private static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final long limitBytes;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong lastReportNanos = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong unreported = new AtomicLong();

    /** @param limitBytes the most request bytes held at once; positive */
    RequestBudget(long limitBytes) {
        if (limitBytes <= 0) {
            throw new IllegalArgumentException("limitBytes: " + limitBytes + " (expected: > 0)");
        }
        this.limitBytes = limitBytes;
    }

    /** The default limit: half of the direct memory Netty may use ({@code -XX:MaxDirectMemorySize}, or the heap's). */
    static long defaultLimitBytes() {
        return Math.max(1, PlatformDependent.maxDirectMemory() / 100 * DEFAULT_SHARE_PERCENT);
    }

    /** The most request bytes held at once. */
    long limitBytes() {
        return limitBytes;
    }

    /** Bytes reserved now. */
    long used() {
        return used.get();
    }

    /** Reserves {@code bytes} if they fit; returns whether they did. */
    @Override
    public boolean tryReserve(long bytes) {
        if (bytes <= 0) {
            return true;
        }
        while (true) {
            long current = used.get();
            if (bytes > limitBytes - current) {
                return false;
            }
            if (used.compareAndSet(current, current + bytes)) {
                return true;
            }
        }
    }

    /** Reserves {@code bytes} whether or not they fit (a body already in memory that was reserved short). */
    void forceReserve(long bytes) {
        if (bytes > 0) {
            used.addAndGet(bytes);
        }
    }

    /** Gives back {@code bytes} reserved earlier. */
    @Override
    public void release(long bytes) {
        if (bytes > 0) {
            used.addAndGet(-bytes);
        }
    }

    /**
     * Whether a refusal or an allocation failure seen at {@code nowNanos} should be logged: at most once a minute
     * across the server, so that a flood of refusals cannot flood the log.
     *
     * @return the number of such events since the last report (this one included), or 0 to stay quiet
     */
    long report(long nowNanos) {
        unreported.incrementAndGet();
        long last = lastReportNanos.get();
        if (last != Long.MIN_VALUE && nowNanos - last < LOG_INTERVAL_NANOS) {
            return 0;
        }
        if (!lastReportNanos.compareAndSet(last, nowNanos)) {
            return 0;
        }
        return Math.max(1, unreported.getAndSet(0));
    }
}
