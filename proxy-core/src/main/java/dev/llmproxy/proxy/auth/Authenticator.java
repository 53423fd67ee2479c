package dev.llmproxy.proxy.auth;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * Decides who a request comes from. Called on the event loop for every authenticated endpoint, with the request's
 * headers (its body may still be arriving), so an implementation answers from memory when it can (the master key;
 * the store's off-heap key cache) and otherwise returns {@link AuthResult#pending} and looks the key up elsewhere:
 * the server keeps the request, hops back to the connection's event loop when the lookup completes, and answers.
 *
 * <p>Thread-safety: implementations are shared by all event loops and must be thread-safe; they never block.
 */
public interface Authenticator {

    /** Authenticates the request that carries {@code headers}; never null. */
    AuthResult authenticate(HttpHeaders headers);

    /** Whether requests are accepted without any key (no master key configured). */
    boolean isOpen();
}
