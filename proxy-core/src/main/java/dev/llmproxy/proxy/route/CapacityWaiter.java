package dev.llmproxy.proxy.route;

import io.netty.util.concurrent.EventExecutor;

/**
 * A call waiting for a deployment of its group to have capacity ({@link Router#await}). Exactly one of
 * {@link #granted} and {@link #expired} is called, on {@link #executor()}, unless the wait was cancelled first.
 * Thread-safety: its methods are called on its executor only.
 */
public interface CapacityWaiter {

    /** The event loop the call runs on. */
    EventExecutor executor();

    /**
     * A deployment admitted the call; the waiter owns {@code lease} and must release it exactly once (with status 0
     * if the call ended meanwhile and will not use it).
     */
    void granted(Lease lease);

    /**
     * The wait ended without capacity (its time is up).
     *
     * @param retryAfterMillis the router's estimate of when capacity frees up, for the 429's {@code retry-after}
     */
    void expired(long retryAfterMillis);

    /** A place in the queue, held until the waiter is granted, expired or cancels. Thread-safety: thread-safe. */
    interface Ticket {

        /** Leaves the queue (the client went away); afterwards neither callback is called. Idempotent. */
        void cancel();
    }
}
