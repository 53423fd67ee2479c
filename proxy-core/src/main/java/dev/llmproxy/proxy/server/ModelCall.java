package dev.llmproxy.proxy.server;

/**
 * One model request being answered: by a provider ({@link ProxyCall}) or by the configured mock answer
 * ({@link MockCall}). It owns the client connection's output until it reports its end to the {@link ClientHandler}.
 *
 * <p>Thread-safety: confined to the client connection's event loop.
 */
interface ModelCall {

    /** Starts answering; may complete before returning. */
    void start();

    /** The client connection can take more bytes again. */
    void onClientWritable();

    /** The client connection closed: stop, release everything, and record what was used. */
    void onClientGone();
}
