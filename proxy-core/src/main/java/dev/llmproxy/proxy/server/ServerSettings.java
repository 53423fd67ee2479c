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
 * @param maxUploadBytes largest upload accepted (413 beyond): uploads are streamed to the provider, not held, so
 *     this bound is not the one of {@code maxRequestBytes}
 */
public record ServerSettings(
        String host,
        int port,
        int eventLoops,
        int maxRequestBytes,
        int maxHeaderBytes,
        Duration drainGrace,
        ClientTimeouts clientTimeouts,
        long maxUploadBytes) {

    /** The upload limit when none is configured: 1 GiB, above any provider's (OpenAI takes files up to 512 MB). */
    public static final long DEFAULT_MAX_UPLOAD_BYTES = 1024L * 1024 * 1024;

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
        if (maxUploadBytes < 1) {
            throw new IllegalArgumentException("maxUploadBytes: " + maxUploadBytes + " (expected: > 0)");
        }
        if (maxHeaderBytes < 1024) {
            throw new IllegalArgumentException("maxHeaderBytes: " + maxHeaderBytes + " (expected: >= 1024)");
        }
    }

    /** Settings with the default upload limit ({@link #DEFAULT_MAX_UPLOAD_BYTES}). */
    public ServerSettings(String host, int port, int eventLoops, int maxRequestBytes, int maxHeaderBytes,
            Duration drainGrace, ClientTimeouts clientTimeouts) {
        this(host, port, eventLoops, maxRequestBytes, maxHeaderBytes, drainGrace, clientTimeouts,
                DEFAULT_MAX_UPLOAD_BYTES);
    }
}
