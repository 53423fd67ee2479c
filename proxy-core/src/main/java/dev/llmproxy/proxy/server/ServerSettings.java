package dev.llmproxy.proxy.server;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How the client-facing server listens and what it accepts.
 *
 * @param host the address to bind
 * @param port the port to bind (0 for an ephemeral port)
 * @param eventLoops event loop threads, one per core by default
 * @param maxRequestBytes largest request body accepted (413 beyond)
 * @param maxHeaderBytes largest request header block accepted (431 beyond)
 * @param drainGrace how long a stop waits for in-flight requests and streams
 * @param clientTimeouts how long client connections may stay silent
 */
public record ServerSettings(
        String host,
        int port,
        int eventLoops,
        int maxRequestBytes,
        int maxHeaderBytes,
        Duration drainGrace,
        ClientTimeouts clientTimeouts) {

    /** The largest request line accepted (414 beyond); long enough for any API path with a query. */
    static final int MAX_INITIAL_LINE_BYTES = 8192;

    public ServerSettings {
        requireNonNull(host, "host");
        requireNonNull(drainGrace, "drainGrace");
        requireNonNull(clientTimeouts, "clientTimeouts");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
        }
        if (eventLoops < 1) {
            throw new IllegalArgumentException("eventLoops: " + eventLoops + " (expected: > 0)");
        }
        if (maxRequestBytes < 1) {
            throw new IllegalArgumentException("maxRequestBytes: " + maxRequestBytes + " (expected: > 0)");
        }
        if (maxHeaderBytes < 1024) {
            throw new IllegalArgumentException("maxHeaderBytes: " + maxHeaderBytes + " (expected: >= 1024)");
        }
    }
}
