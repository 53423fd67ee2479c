package dev.llmproxy.proxy.call;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several {@link CallListener}s as one, each isolated from the others: a listener that throws is logged (at most once
 * a minute per listener, with the count of failures in between, so that a broken listener cannot flood the log) and
 * the rest are still called. The request path calls this and nothing else, so a listener can never stall a
 * connection.
 *
 * <p>Thread-safety: immutable list; the failure counters are atomic.
 */
public final class CallListeners implements CallListener {
    private static final Logger log = LoggerFactory.getLogger(CallListeners.class);
    private static final long LOG_INTERVAL_NANOS = 60_000_000_000L;

    private final CallListener[] listeners;
    private final AtomicLong[] failures;
    private final AtomicLong[] lastLoggedNanos;

    private CallListeners(List<CallListener> listeners) {
        this.listeners = listeners.toArray(new CallListener[0]);
        this.failures = new AtomicLong[this.listeners.length];
        this.lastLoggedNanos = new AtomicLong[this.listeners.length];
        for (int i = 0; i < this.listeners.length; i++) {
            failures[i] = new AtomicLong();
            lastLoggedNanos[i] = new AtomicLong(Long.MIN_VALUE);
        }
    }

    /** {@code listeners} as one isolated listener, called in list order. */
    public static CallListeners of(List<CallListener> listeners) {
        return new CallListeners(List.copyOf(listeners));
    }

    @Override
    public void onCallEnded(CallRecord record) {
        for (int i = 0; i < listeners.length; i++) {
            try {
                listeners[i].onCallEnded(record);
            } catch (RuntimeException | LinkageError | AssertionError e) {
                failed(i, record, e);
            }
        }
    }

    private void failed(int index, CallRecord record, Throwable cause) {
        long count = failures[index].incrementAndGet();
        long now = System.nanoTime();
        long last = lastLoggedNanos[index].get();
        // Racy by design: two threads may both log once at the interval's edge, which is harmless.
        if (last == Long.MIN_VALUE || now - last >= LOG_INTERVAL_NANOS) {
            lastLoggedNanos[index].set(now);
            log.warn("[{}] call listener {} failed ({} failure(s) so far); the request is unaffected",
                    record.callId(), listeners[index].getClass().getName(), count, cause);
        }
    }
}
