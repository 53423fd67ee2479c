package dev.llmproxy.proxy.auth;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * Decides who a request comes from. Called on the event loop for every authenticated endpoint, so an implementation
 * must answer from memory without blocking (the virtual-key implementation reads the store's off-heap key cache).
 *
 * <p>Thread-safety: implementations are shared by all event loops and must be thread-safe.
 */
public interface Authenticator {

    /** Authenticates the request that carries {@code headers}; never null. */
    AuthResult authenticate(HttpHeaders headers);

    /** Whether requests are accepted without any key (no master key configured). */
    boolean isOpen();
}
