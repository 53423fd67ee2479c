package dev.llmproxy.proxy.server;

import dev.llmproxy.proxy.auth.AuthResult;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;

/**
 * Hands the authentication that {@link HeadAuthHandler} did on a request head to {@link ClientHandler}, which gets the
 * same request later, aggregated, so that a key is checked (and hashed) once per request.
 *
 * <p>A result is matched to its request by the identity of the request's {@link HttpHeaders}: the aggregator's
 * full request shares the head's headers instance. Results queue in request order; a pipelined request's result
 * waits behind the ones before it. A result whose request the aggregator dropped (a 413, a full buffer budget) is
 * left at the head of the queue, but such a request ends the connection.
 *
 * <p>Also tells the head handler whether {@link ClientHandler} is answering a request: a refusal written at the head
 * would otherwise overtake that response.
 *
 * <p>Thread-safety: one instance per connection, confined to the connection's event loop.
 */
final class HeadAuthResults {
    private final ArrayDeque<Entry> queue = new ArrayDeque<>(2);
    private boolean clientBusy;

    /** Remembers {@code result} for the request whose headers are {@code headers}. */
    void add(HttpHeaders headers, AuthResult result) {
        queue.add(new Entry(headers, result));
    }

    /** Returns and forgets the result for the request with {@code headers}, or null if its head was not checked. */
    @Nullable AuthResult take(HttpHeaders headers) {
        Entry first = queue.peek();
        if (first == null || first.headers != headers) {
            return null;
        }
        queue.poll();
        return first.result;
    }

    /** Whether {@link ClientHandler} is answering a request (or holding one for a key lookup). */
    boolean isClientBusy() {
        return clientBusy;
    }

    void clientBusy(boolean busy) {
        clientBusy = busy;
    }

    /** How many results wait for their request (for tests). */
    int size() {
        return queue.size();
    }

    private record Entry(HttpHeaders headers, AuthResult result) {}
}
