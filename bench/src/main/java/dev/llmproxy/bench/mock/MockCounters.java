package dev.llmproxy.bench.mock;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a {@link MockProvider} has seen, shared by all its connections.
 *
 * <p>Thread-safety: written by every event loop of the provider, read by test threads; every field is atomic or
 * concurrent. {@link #reset()} is not atomic as a whole: a request that runs during a reset may be half counted.
 */
final class MockCounters {
    final AtomicInteger openConnections = new AtomicInteger();
    final AtomicLong connectionsAccepted = new AtomicLong();
    final AtomicLong requestsReceived = new AtomicLong();
    final AtomicLong streamsStarted = new AtomicLong();
    final AtomicLong streamsCompleted = new AtomicLong();
    final AtomicLong streamsCancelled = new AtomicLong();
    final AtomicLong googleTokenRequests = new AtomicLong();
    final Queue<RecordedRequest> requests = new ConcurrentLinkedQueue<>();

    List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    void reset() {
        connectionsAccepted.set(0);
        requestsReceived.set(0);
        streamsStarted.set(0);
        streamsCompleted.set(0);
        streamsCancelled.set(0);
        googleTokenRequests.set(0);
        requests.clear();
    }
}
