package dev.llmproxy.bench.mock;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A mock OpenAI-compatible provider on a local port, for llmproxy's tests and load benchmark.
 *
 * <p>Endpoints (each with and without the {@code /v1} prefix): {@code POST chat/completions} (JSON
 * {@code chat.completion}, or SSE {@code chat.completion.chunk} events ending with {@code data: [DONE]} when the body
 * says {@code "stream": true}; a usage chunk with {@code "choices": []} precedes [DONE] when
 * {@code stream_options.include_usage} is true), {@code POST completions} ({@code text_completion}, streamed too),
 * {@code POST embeddings}, {@code GET models} and {@code GET models/{id}}; Azure style
 * {@code /openai/deployments/{deployment}/(chat/completions|completions|embeddings)?api-version=…} with the
 * deployment as the default model; and Anthropic's {@code POST messages} (a {@code message}, or its SSE events with
 * {@code event:} names, a ping included; Anthropic error bodies, and 401/400 when {@code x-api-key} (or
 * {@code authorization}) or {@code anthropic-version} is missing). Google's Gemini API under any prefix (AI Studio's
 * {@code /v1beta/models/{model}:...}, Vertex AI's {@code /v1/projects/.../models/{model}:...}):
 * {@code :generateContent}, {@code :streamGenerateContent?alt=sse} (CRLF-separated events, running usage, the last with
 * {@code finishReason}, no [DONE]), {@code :batchEmbedContents}, and Claude on Vertex AI's {@code :rawPredict} and
 * {@code :streamRawPredict} (Anthropic answers); AI Studio paths want a key ({@code x-goog-api-key}, {@code ?key=} or a
 * bearer), Vertex AI paths a bearer token issued by the mock's Google token endpoint, {@code POST /token}, which
 * checks the service account's JWT assertion (its RS256 signature too, given
 * {@link MockProviderConfig#googleTokenKey()}). Google errors are Google's error objects. Anything else gets an
 * OpenAI-style 404. The answer's {@code model} echoes the request's. HTTP/1.1 keep-alive, {@code Connection: close}
 * honoured.
 *
 * <p>Default answers are precomputed per model: {@code "tok "} once per chunk, usage 10 prompt tokens and one
 * completion token per chunk. Requests steer the mock with optional top-level body fields, read only when the body
 * contains {@code "mock_}:
 * <ul>
 *   <li>{@code mock_chunks}, {@code mock_chunk_interval_ms}, {@code mock_first_chunk_delay_ms}: stream shape;
 *   <li>{@code mock_delay_ms}: pause before the response headers;
 *   <li>{@code mock_status} (+ {@code mock_error_message}): answer with that status and an OpenAI (or, on
 *       {@code messages}, Anthropic) error body;
 *   <li>{@code mock_hang}: accept and never answer;
 *   <li>{@code mock_cut_after_chunks}: stream that many chunks, then close the connection without [DONE] (for a
 *       non-streamed answer: send half the announced body, then close);
 *   <li>{@code mock_error_after_chunks} (Anthropic streams): send an {@code overloaded_error} event after that many
 *       chunks and end the stream;
 *   <li>{@code mock_hold_after_chunks} + {@code mock_hold_ms}: pause the stream after that chunk;
 *   <li>{@code mock_content}: the answer text (split evenly over the chunks when streamed);
 *   <li>{@code mock_tool_call} (on {@code messages}): {@code {"name": n, "arguments": {...}}}, answer with that
 *       tool call (streamed as {@code input_json_delta}s) instead of text;
 *   <li>{@code mock_usage}: {@code {"prompt_tokens": p, "completion_tokens": c}} to report (Anthropic's input and
 *       output tokens on {@code messages});
 *   <li>{@code mock_finish_reason}, {@code mock_thought_tokens} (Gemini): the last chunk's {@code finishReason}, and
 *       thinking tokens reported apart from the candidates'.
 * </ul>
 * A Gemini request has no room for extra fields, so there the controls travel in the prompt: a {@code text} part that
 * is a JSON object of {@code mock_*} members (a user message {@code {"mock_status": 429}}) is read like them.
 * {@code mock_error_after_chunks} sends Anthropic an {@code overloaded_error} event and Gemini a
 * {@code RESOURCE_EXHAUSTED} error object; {@code mock_tool_call} works on Gemini too.
 *
 * <p>Thread-safety: thread-safe. Connections are served on the provider's own event loops; the observation methods
 * may be called from any thread and see counters that other threads update concurrently.
 */
public final class MockProvider implements AutoCloseable {
    private final MockProviderConfig config;
    private final MockState state;
    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final @Nullable MockCertificate certificate;
    private boolean closed;

    private MockProvider(
            MockProviderConfig config,
            MockState state,
            EventLoopGroup group,
            Channel serverChannel,
            @Nullable MockCertificate certificate) {
        this.config = config;
        this.state = state;
        this.group = group;
        this.serverChannel = serverChannel;
        this.certificate = certificate;
    }

    /**
     * Starts a provider and returns once it accepts connections.
     *
     * @throws IllegalStateException when the port cannot be bound or the TLS certificate cannot be made
     */
    public static MockProvider start(MockProviderConfig config) {
        requireNonNull(config, "config");
        MockState state = new MockState(config);
        MockCertificate certificate = config.tls() ? MockCertificate.generate(config.clock()) : null;
        SslContext sslContext = certificate == null ? null : certificate.newServerContext();
        MockTransport transport = MockTransport.select(config.preferNativeTransport());
        EventLoopGroup group = transport.newGroup(config.eventLoopThreads(), "mock-provider");
        ChannelFuture bind = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new MockServerInitializer(state, sslContext))
                .bind(config.host(), config.port())
                .awaitUninterruptibly();
        if (!bind.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            if (certificate != null) {
                certificate.deleteFile();
            }
            throw new IllegalStateException(
                    "cannot start the mock provider on " + config.host() + ":" + config.port(), bind.cause());
        }
        return new MockProvider(config, state, group, bind.channel(), certificate);
    }

    /** Returns the settings this provider runs with. */
    public MockProviderConfig config() {
        return config;
    }

    /** Returns the bound port. */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Returns the OpenAI base URL, e.g. {@code http://127.0.0.1:PORT/v1} ({@code https} with TLS). */
    public String baseUrl() {
        return origin() + "/v1";
    }

    /** Returns the scheme, host and port without a path, e.g. {@code http://127.0.0.1:PORT} (for Azure paths). */
    public String origin() {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return (config.tls() ? "https" : "http") + "://" + host + ":" + port();
    }

    /**
     * Returns the PEM file of the self-signed certificate, for a client to trust; the file is deleted on
     * {@link #close()}.
     *
     * @throws IllegalStateException when TLS is off
     */
    public Path certificatePemPath() {
        return requireTls().pemPath();
    }

    /**
     * Returns the self-signed certificate.
     *
     * @throws IllegalStateException when TLS is off
     */
    public X509Certificate certificate() {
        return requireTls().certificate();
    }

    /**
     * Returns the requests received since start or the last {@link #reset()}, oldest first; empty unless
     * {@link MockProviderConfig#recordRequests()} is on. The list is a snapshot.
     */
    public List<RecordedRequest> requests() {
        return state.counters.requests();
    }

    /** Returns the number of client connections open now. */
    public int openConnections() {
        return state.counters.openConnections.get();
    }

    /** Returns the number of connections accepted. */
    public long connectionsAccepted() {
        return state.counters.connectionsAccepted.get();
    }

    /** Returns the number of HTTP requests received (answered or not). */
    public long requestsReceived() {
        return state.counters.requestsReceived.get();
    }

    /** Returns the number of SSE streams whose response headers were sent. */
    public long streamsStarted() {
        return state.counters.streamsStarted.get();
    }

    /** Returns the number of SSE streams fully written, through {@code data: [DONE]}. */
    public long streamsCompleted() {
        return state.counters.streamsCompleted.get();
    }

    /** Returns the number of requests the Google token endpoint ({@code POST /token}) received, refusals included. */
    public long googleTokenRequests() {
        return state.counters.googleTokenRequests.get();
    }

    /**
     * Returns the number of SSE streams the client ended early by closing the connection (streams cut on purpose
     * with {@code mock_cut_after_chunks} do not count).
     */
    public long streamsCancelled() {
        return state.counters.streamsCancelled.get();
    }

    /** Makes the next model requests (chat, completions, embeddings, messages) act out {@code faults}, one each. */
    public void enqueueFaults(MockFault... faults) {
        for (MockFault fault : faults) {
            state.queuedFaults.add(Objects.requireNonNull(fault, "fault"));
        }
    }

    /** Makes every model request act out {@code fault} once the queued faults are used up; null answers again. */
    public void failEvery(@Nullable MockFault fault) {
        state.everyFault = fault;
    }

    /** Zeroes the counters (except {@link #openConnections()}, which is live state) and forgets recorded requests. */
    public void reset() {
        state.counters.reset();
    }

    /** Stops accepting, closes every connection, stops the event loops and deletes the certificate file. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        serverChannel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        if (certificate != null) {
            certificate.deleteFile();
        }
    }

    private MockCertificate requireTls() {
        if (certificate == null) {
            throw new IllegalStateException("TLS is off for this mock provider");
        }
        return certificate;
    }
}
