package dev.llmproxy.proxy.call;

import dev.llmproxy.proxy.route.Lease;

/**
 * One try of a {@link ModelCall} on one deployment: a provider ({@link UpstreamAttempt}) or the deployment's canned
 * answer ({@link MockAttempt}). It reports its response head to the call before anything reaches the client, and its
 * end exactly once. Thread-safety: confined to the client connection's event loop.
 */
abstract class Attempt {
    final ModelCall call;
    final Lease lease;
    final long startNanos;
    long headersNanos;
    /** Whether the call recorded this attempt and released its lease (exactly once). */
    boolean recorded;
    /** Whether the cooldowns were told how this attempt went (exactly once). */
    boolean healthRecorded;

    Attempt(ModelCall call, Lease lease, long startNanos) {
        this.call = call;
        this.lease = lease;
        this.startNanos = startNanos;
    }

    /** Starts the attempt; it may end before this returns. */
    abstract void start();

    /** The client can take more bytes again. */
    abstract void onClientWritable();

    /** The call is over (the client went away): stop at once and let go of the connection. */
    abstract void cancel();
}
