package dev.llmproxy.bench.mock;

import static java.util.Objects.requireNonNull;

import java.security.PublicKey;
import java.time.Clock;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Settings of a {@link MockProvider}. Build one with {@link #builder()}; {@link #defaults()} is what a benchmark
 * wants (ephemeral port on 127.0.0.1, one event loop, plain HTTP, no recording).
 *
 * <p>Thread-safety: immutable.
 *
 * @param host address to bind, e.g. {@code 127.0.0.1}
 * @param port port to bind; {@code 0} picks an ephemeral port
 * @param eventLoopThreads number of event loop threads serving connections (at least 1)
 * @param tls serve HTTPS with a self-signed certificate for {@code localhost} and {@code 127.0.0.1}, generated at
 *     start (see {@link MockProvider#certificatePemPath()})
 * @param preferNativeTransport use epoll when the native transport is available, NIO otherwise
 * @param streamChunks number of content chunks in a streamed answer unless the request says {@code mock_chunks}
 * @param streamChunkIntervalMillis pause between streamed chunks unless the request says
 *     {@code mock_chunk_interval_ms}; {@code 0} writes the whole stream at once
 * @param streamFirstChunkDelayMillis pause between the response headers and the first chunk unless the request says
 *     {@code mock_first_chunk_delay_ms}
 * @param recordRequests keep every request for {@link MockProvider#requests()} (costs a copy per request)
 * @param maxRequestBodyBytes requests with a larger body get 413
 * @param models model ids listed by {@code GET /v1/models}
 * @param clock wall clock for the {@code created} timestamps, read once at start
 * @param googleTokenKey the key whose RS256 signature the Google token endpoint checks on assertions, or {@code null}
 *     to accept any well-formed assertion
 * @param googleTokenLifetimeSeconds the {@code expires_in} of the access tokens that endpoint issues
 * @param stampChunks send each paced content chunk of a default streamed answer as its send time ({@link SendStamp})
 *     instead of the default text, so that the bench can time every chunk's way through a proxy
 */
public record MockProviderConfig(
        String host,
        int port,
        int eventLoopThreads,
        boolean tls,
        boolean preferNativeTransport,
        int streamChunks,
        long streamChunkIntervalMillis,
        long streamFirstChunkDelayMillis,
        boolean recordRequests,
        int maxRequestBodyBytes,
        List<String> models,
        Clock clock,
        @Nullable PublicKey googleTokenKey,
        long googleTokenLifetimeSeconds,
        boolean stampChunks) {

    /** Validates every setting; throws {@link IllegalArgumentException} naming the first bad one. */
    public MockProviderConfig {
        requireNonNull(host, "host");
        requireNonNull(models, "models");
        requireNonNull(clock, "clock");
        models = List.copyOf(models);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
        }
        if (eventLoopThreads < 1) {
            throw new IllegalArgumentException("eventLoopThreads: " + eventLoopThreads + " (expected: > 0)");
        }
        if (streamChunks < 0) {
            throw new IllegalArgumentException("streamChunks: " + streamChunks + " (expected: >= 0)");
        }
        if (streamChunkIntervalMillis < 0) {
            throw new IllegalArgumentException(
                    "streamChunkIntervalMillis: " + streamChunkIntervalMillis + " (expected: >= 0)");
        }
        if (streamFirstChunkDelayMillis < 0) {
            throw new IllegalArgumentException(
                    "streamFirstChunkDelayMillis: " + streamFirstChunkDelayMillis + " (expected: >= 0)");
        }
        if (googleTokenLifetimeSeconds < 1) {
            throw new IllegalArgumentException(
                    "googleTokenLifetimeSeconds: " + googleTokenLifetimeSeconds + " (expected: > 0)");
        }
        if (maxRequestBodyBytes < 1) {
            throw new IllegalArgumentException("maxRequestBodyBytes: " + maxRequestBodyBytes + " (expected: > 0)");
        }
    }

    /** Returns the default settings: {@code builder().build()}. */
    public static MockProviderConfig defaults() {
        return builder().build();
    }

    /** Returns a builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns a builder holding this config's values. */
    public Builder toBuilder() {
        return new Builder()
                .host(host)
                .port(port)
                .eventLoopThreads(eventLoopThreads)
                .tls(tls)
                .preferNativeTransport(preferNativeTransport)
                .streamChunks(streamChunks)
                .streamChunkIntervalMillis(streamChunkIntervalMillis)
                .streamFirstChunkDelayMillis(streamFirstChunkDelayMillis)
                .recordRequests(recordRequests)
                .maxRequestBodyBytes(maxRequestBodyBytes)
                .models(models)
                .clock(clock)
                .googleTokenKey(googleTokenKey)
                .googleTokenLifetimeSeconds(googleTokenLifetimeSeconds)
                .stampChunks(stampChunks);
    }

    /** Builder for {@link MockProviderConfig}. Thread-safety: not thread-safe; use from one thread. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private int eventLoopThreads = 1;
        private boolean tls;
        private boolean preferNativeTransport = true;
        private int streamChunks = 20;
        private long streamChunkIntervalMillis = 20;
        private long streamFirstChunkDelayMillis = 20;
        private boolean recordRequests;
        private int maxRequestBodyBytes = 16 * 1024 * 1024;
        private List<String> models = List.of("gpt-4o-mini", "gpt-4o", "text-embedding-3-small");
        private Clock clock = Clock.systemUTC();
        private @Nullable PublicKey googleTokenKey;
        private long googleTokenLifetimeSeconds = 3599;
        private boolean stampChunks;

        private Builder() {}

        /** Address to bind (default {@code 127.0.0.1}). */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** Port to bind (default {@code 0}: ephemeral). */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Event loop threads (default 1). */
        public Builder eventLoopThreads(int eventLoopThreads) {
            this.eventLoopThreads = eventLoopThreads;
            return this;
        }

        /** Serve HTTPS with a generated self-signed certificate (default off). */
        public Builder tls(boolean tls) {
            this.tls = tls;
            return this;
        }

        /** Use epoll when available (default on). */
        public Builder preferNativeTransport(boolean preferNativeTransport) {
            this.preferNativeTransport = preferNativeTransport;
            return this;
        }

        /** Default number of streamed content chunks (default 20). */
        public Builder streamChunks(int streamChunks) {
            this.streamChunks = streamChunks;
            return this;
        }

        /** Default pause between streamed chunks in milliseconds (default 20). */
        public Builder streamChunkIntervalMillis(long streamChunkIntervalMillis) {
            this.streamChunkIntervalMillis = streamChunkIntervalMillis;
            return this;
        }

        /** Default pause before the first streamed chunk in milliseconds (default 20). */
        public Builder streamFirstChunkDelayMillis(long streamFirstChunkDelayMillis) {
            this.streamFirstChunkDelayMillis = streamFirstChunkDelayMillis;
            return this;
        }

        /** Keep every request for {@link MockProvider#requests()} (default off). */
        public Builder recordRequests(boolean recordRequests) {
            this.recordRequests = recordRequests;
            return this;
        }

        /** Largest accepted request body in bytes (default 16 MiB). */
        public Builder maxRequestBodyBytes(int maxRequestBodyBytes) {
            this.maxRequestBodyBytes = maxRequestBodyBytes;
            return this;
        }

        /** Model ids listed by {@code GET /v1/models}. */
        public Builder models(List<String> models) {
            this.models = models;
            return this;
        }

        /** Wall clock for {@code created} timestamps (default system UTC). */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * The public key whose signature the Google token endpoint ({@code POST /token}) checks on each assertion
         * (default none: any well-formed assertion is accepted).
         */
        public Builder googleTokenKey(@Nullable PublicKey googleTokenKey) {
            this.googleTokenKey = googleTokenKey;
            return this;
        }

        /** The {@code expires_in} of the access tokens the Google token endpoint issues (default 3599 s). */
        public Builder googleTokenLifetimeSeconds(long googleTokenLifetimeSeconds) {
            this.googleTokenLifetimeSeconds = googleTokenLifetimeSeconds;
            return this;
        }

        /** Send each paced content chunk of a default streamed answer as its send time (default off). */
        public Builder stampChunks(boolean stampChunks) {
            this.stampChunks = stampChunks;
            return this;
        }

        /** Returns the validated config; throws {@link IllegalArgumentException} on a bad value. */
        public MockProviderConfig build() {
            return new MockProviderConfig(
                    host,
                    port,
                    eventLoopThreads,
                    tls,
                    preferNativeTransport,
                    streamChunks,
                    streamChunkIntervalMillis,
                    streamFirstChunkDelayMillis,
                    recordRequests,
                    maxRequestBodyBytes,
                    models,
                    clock,
                    googleTokenKey,
                    googleTokenLifetimeSeconds,
                    stampChunks);
        }
    }
}
