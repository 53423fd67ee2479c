package dev.llmproxy.proxy.upstream;

/**
 * Takes back an {@link UpstreamConnection} whose lease ended ({@link UpstreamPool} keeps it for reuse), and forgets
 * one that closed while idle. Called on the connection's event loop.
 */
interface ConnectionOwner {

    /** The lease ended and the connection may be reused. */
    void offer(UpstreamConnection connection);

    /** An idle connection closed. */
    void remove(UpstreamConnection connection);
}
