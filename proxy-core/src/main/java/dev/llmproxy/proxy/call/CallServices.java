package dev.llmproxy.proxy.call;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.route.RetryRules;
import dev.llmproxy.proxy.route.Router;
import dev.llmproxy.proxy.upstream.Upstream;
import java.time.Clock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * What every call shares: time, randomness, the router, upstream connections and the listeners. Built once by the
 * server's composition root; tests build one with fake time and an in-memory upstream.
 *
 * @param ticker monotonic time in nanoseconds (timeouts, durations)
 * @param clock wall time (the {@code created} field of answers the proxy writes)
 * @param random the random source of the calling thread (routing picks); must be safe to call from any event loop
 * @param router picks each attempt's deployment
 * @param upstream leases upstream connections
 * @param listener receives one record per request; must not throw (use {@link CallListeners})
 * @param clientWriteTimeoutNanos how long a client may leave a response unread (reading from the provider is paused
 *     meanwhile) before its connection is closed; the provider's silence timer does not run during that time
 * @param retryRules how failed attempts are retried, fall back and cool deployments down
 * @param callsInFlight the proxy-wide limit of calls at once, or null for none
 * @param captureResponses whether attempts read the answer's model and finish reasons for the records (only traces
 *     use them, so without tracing nothing is parsed or allocated for them)
 * @param costs what answers cost, for their {@code x-litellm-response-cost} (the spend records' computation)
 */
public record CallServices(
        LongSupplier ticker,
        Clock clock,
        Supplier<RandomGenerator> random,
        Router router,
        Upstream upstream,
        CallListener listener,
        long clientWriteTimeoutNanos,
        RetryRules retryRules,
        @Nullable CallsInFlight callsInFlight,
        boolean captureResponses,
        ResponseCosts costs) {

    public CallServices {
        requireNonNull(ticker, "ticker");
        requireNonNull(clock, "clock");
        requireNonNull(random, "random");
        requireNonNull(router, "router");
        requireNonNull(upstream, "upstream");
        requireNonNull(listener, "listener");
        requireNonNull(retryRules, "retryRules");
        requireNonNull(costs, "costs");
        if (clientWriteTimeoutNanos <= 0) {
            throw new IllegalArgumentException(
                    "clientWriteTimeoutNanos: " + clientWriteTimeoutNanos + " (expected: > 0)");
        }
    }

    /** The same without reading the answers' model and finish reasons, and with no model priced. */
    public CallServices(LongSupplier ticker, Clock clock, Supplier<RandomGenerator> random, Router router,
            Upstream upstream, CallListener listener, long clientWriteTimeoutNanos, RetryRules retryRules,
            @Nullable CallsInFlight callsInFlight) {
        this(ticker, clock, random, router, upstream, listener, clientWriteTimeoutNanos, retryRules, callsInFlight,
                false, ResponseCosts.NONE);
    }
}
