package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.llmproxy.proxy.auth.AuthResult;
import dev.llmproxy.proxy.auth.Authenticator;
import dev.llmproxy.proxy.auth.MasterKeyAuthenticator;
import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.call.CallListener;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.config.ConfigLoader;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.route.RouteTable;
import dev.llmproxy.proxy.upstream.ForwardProxy;
import dev.llmproxy.proxy.upstream.UpstreamClient;
import dev.llmproxy.proxy.upstream.UpstreamConnector;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client pipeline ({@link ServerInitializer}'s codec, aggregator and handler) on an {@link EmbeddedChannel}, with
 * a {@code mock_response} deployment so that no upstream is involved. The ticker and clock are fixed, so a response
 * differs from another only by its call id.
 */
class ServerPipelineTest {
    private static final Pattern CALL_ID = Pattern.compile("x-litellm-call-id: ([0-9a-f-]{36})");
    private static final int MAX_REQUEST_BYTES = 64 * 1024;
    private static final int MAX_HEADER_BYTES = 8 * 1024;

    @TempDir
    Path dir;

    private RouteTable routes;
    private ServerContext context;
    private final MockTicker ticker = Ticker.newMockTicker();
    private final List<CallRecord> calls = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, """
                model_list:
                  - model_name: mock-gpt
                    litellm_params:
                      model: openai/gpt-4o-mini
                      mock_response: "Hello from the pipeline"
                """);
        routes = RouteTable.build(ConfigLoader.load(file, Map.of()));
        context = newContext(new MasterKeyAuthenticator(null), calls::add);
    }

    @Test
    void shouldAnswerIdenticallyWhenChatRequestIsSplitAtEveryByte() {
        assertSameResponseForEverySplit(request("/v1/chat/completions", ProxyFixture.CHAT_BODY.formatted("mock-gpt")));
    }

    @Test
    void shouldAnswerIdenticallyWhenStreamRequestIsSplitAtEveryByte() {
        assertSameResponseForEverySplit(request("/v1/chat/completions",
                "{\"model\":\"mock-gpt\",\"messages\":[],\"stream\":true}"));
    }

    @Test
    void shouldAnswer400AndCloseWhenRequestLineIsMalformed() {
        EmbeddedChannel channel = newChannel();

        channel.writeInbound(Unpooled.copiedBuffer("THIS IS NOT HTTP\r\n\r\n", StandardCharsets.US_ASCII));
        channel.runPendingTasks();
        String response = readAll(channel);

        assertThat(response).startsWith("HTTP/1.1 400 Bad Request\r\n");
        assertThat(response).containsIgnoringCase("connection: close");
        assertThat(response).contains("\"type\":\"bad_request_error\"");
        assertThat(channel.isOpen()).as("lingering for what the client may still send").isTrue();
        ticker.advance(LingeringCloseHandler.LINGER_TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).as("closed after the client's silence").isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
        assertThat(calls).singleElement().satisfies(record -> {
            assertThat(record.status()).isEqualTo(400);
            assertThat(record.error()).isEqualTo(ProxyError.BAD_REQUEST);
            assertThat(record.endpoint()).isNull();
        });
    }

    @Test
    void shouldRecordClientClosedAndAnswerNothingWhenClientLeavesMidHeaders() {
        EmbeddedChannel channel = newChannel();

        channel.writeInbound(Unpooled.copiedBuffer("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-",
                StandardCharsets.US_ASCII));
        channel.close();
        channel.runPendingTasks();

        assertThat(readAll(channel)).isEmpty();
        assertThat(calls).singleElement().satisfies(record -> {
            assertThat(record.status()).isEqualTo(499);
            assertThat(record.error()).isEqualTo(ProxyError.CLIENT_CLOSED);
        });
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void shouldAnswerBothInOrderWhenTwoRequestsArriveInOneRead() {
        EmbeddedChannel channel = newChannel();
        String both = request("/v1/models", null) + request("/health/liveliness", null);

        channel.writeInbound(Unpooled.copiedBuffer(both, StandardCharsets.US_ASCII));
        channel.runPendingTasks();
        String responses = readAll(channel);

        assertThat(responses.indexOf("\"object\":\"list\"")).isPositive();
        assertThat(responses.indexOf("\"I'm alive!\"")).isGreaterThan(responses.indexOf("\"object\":\"list\""));
        assertThat(responses.split("HTTP/1.1 200 OK", -1)).hasSize(3);
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void shouldAnswer413AndCloseAfterDiscardingTheBodyWhenBodyExceedsLimit() {
        EmbeddedChannel channel = newChannel();
        String body = "{\"model\":\"mock-gpt\",\"messages\":[],\"x\":\"" + "y".repeat(MAX_REQUEST_BYTES) + "\"}";

        channel.writeInbound(Unpooled.copiedBuffer(request("/v1/chat/completions", body), StandardCharsets.UTF_8));
        channel.runPendingTasks();
        String response = readAll(channel);

        assertThat(response).startsWith("HTTP/1.1 413 ").containsIgnoringCase("connection: close");
        assertThat(channel.isOpen()).as("lingering for the rest of the body").isTrue();
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[body.length()]));
        assertThat(readAll(channel)).isEmpty();
        assertThat(channel.isOpen()).as("closed once the declared length has been discarded").isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
        assertThat(calls).singleElement().satisfies(record -> {
            assertThat(record.status()).isEqualTo(413);
            assertThat(record.error()).isEqualTo(ProxyError.BODY_TOO_LARGE);
            assertThat(response).contains(record.callId());
        });
    }

    private void assertSameResponseForEverySplit(String request) {
        byte[] bytes = request.getBytes(StandardCharsets.UTF_8);
        String whole = normalize(exchange(bytes, bytes.length));
        assertThat(whole).startsWith("HTTP/1.1 200 OK\r\n").contains("Hello");
        for (int split = 1; split < bytes.length; split++) {
            assertThat(normalize(exchange(bytes, split))).as("split at byte %d", split).isEqualTo(whole);
        }
        assertThat(calls).hasSize(bytes.length);
    }

    /** Feeds {@code bytes} in two writes, the first ending before index {@code split}, and returns the output. */
    private String exchange(byte[] bytes, int split) {
        EmbeddedChannel channel = newChannel();
        channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(bytes, 0, split)));
        if (split < bytes.length) {
            channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(bytes, split, bytes.length)));
        }
        channel.runPendingTasks();
        String response = readAll(channel);
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finishAndReleaseAll()).isFalse();
        return response;
    }

    @Test
    void shouldAnswerOnceKeyLookupCompletesWhenAuthenticatorAnswersLater() {
        CompletableFuture<AuthResult> lookup = new CompletableFuture<>();
        EmbeddedChannel channel = chatAwaitingAuth(lookup);

        assertThat(readAll(channel)).isEmpty();
        lookup.complete(AuthResult.accepted(Principal.MASTER));
        channel.runPendingTasks();

        assertThat(readAll(channel)).startsWith("HTTP/1.1 200 OK\r\n").contains("Hello from the pipeline");
        assertThat(calls).singleElement().satisfies(record -> assertThat(record.principal()).isEqualTo(Principal.MASTER));
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void shouldAnswer401WhenKeyLookupRefusesTheKey() {
        CompletableFuture<AuthResult> lookup = new CompletableFuture<>();
        EmbeddedChannel channel = chatAwaitingAuth(lookup);

        lookup.complete(AuthResult.INVALID);
        channel.runPendingTasks();

        assertThat(readAll(channel)).startsWith("HTTP/1.1 401 Unauthorized\r\n");
        assertThat(calls).singleElement().satisfies(record -> assertThat(record.error()).isEqualTo(ProxyError.INVALID_KEY));
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void shouldReleaseRequestAndRecordItWhenClientLeavesDuringKeyLookup() {
        CompletableFuture<AuthResult> lookup = new CompletableFuture<>();
        EmbeddedChannel channel = chatAwaitingAuth(lookup);

        channel.close();
        lookup.complete(AuthResult.accepted(Principal.MASTER));
        channel.runPendingTasks();

        assertThat(calls).singleElement().satisfies(record -> {
            assertThat(record.status()).isEqualTo(499);
            assertThat(record.error()).isEqualTo(ProxyError.CLIENT_CLOSED);
        });
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void shouldAnswer503WhenKeyLookupTakesTooLong() {
        EmbeddedChannel channel = chatAwaitingAuth(new CompletableFuture<>());

        ticker.advance(ClientHandler.AUTH_TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();

        assertThat(readAll(channel)).startsWith("HTTP/1.1 503 Service Unavailable\r\n")
                .contains("\"type\":\"service_unavailable\"");
        assertThat(calls).singleElement()
                .satisfies(record -> assertThat(record.error()).isEqualTo(ProxyError.AUTH_UNAVAILABLE));
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void shouldKeepServingAndCallOtherListenersWhenOneListenerThrows() {
        List<CallRecord> seen = new CopyOnWriteArrayList<>();
        context = newContext(new MasterKeyAuthenticator(null), record -> {
            throw new IllegalStateException("listener bug");
        }, seen::add);
        EmbeddedChannel channel = newChannel();
        String chat = request("/v1/chat/completions", ProxyFixture.CHAT_BODY.formatted("mock-gpt"));

        channel.writeInbound(Unpooled.copiedBuffer(chat + chat, StandardCharsets.UTF_8));
        channel.runPendingTasks();

        assertThat(readAll(channel).split("HTTP/1.1 200 OK", -1)).hasSize(3);
        assertThat(seen).hasSize(2);
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void shouldRecordEveryRequestRefusedBeforeRouting() {
        EmbeddedChannel channel = newChannel();
        String requests = request("/nope", "{}")
                + "DELETE /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
                + request("/v1/chat/completions", "{not json")
                + request("/v1/chat/completions", "{\"messages\":[]}")
                + request("/v1/chat/completions", ProxyFixture.CHAT_BODY.formatted("unknown-model"))
                + request("/v1/models", null);

        channel.writeInbound(Unpooled.copiedBuffer(requests, StandardCharsets.UTF_8));
        channel.runPendingTasks();

        readAll(channel);
        assertThat(calls).extracting(CallRecord::status, CallRecord::error).containsExactly(
                tuple(404, ProxyError.NOT_FOUND),
                tuple(405, ProxyError.METHOD_NOT_ALLOWED),
                tuple(400, ProxyError.INVALID_JSON),
                tuple(400, ProxyError.MISSING_FIELD),
                tuple(400, ProxyError.UNKNOWN_MODEL),
                tuple(200, null));
        assertThat(calls.get(4).requestedModel()).isEqualTo("unknown-model");
        assertThat(calls.get(4).endpoint()).isEqualTo(Endpoint.CHAT_COMPLETIONS);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    private ServerContext newContext(Authenticator authenticator, CallListener... listeners) {
        UpstreamClient upstream = new UpstreamClient(
                new UpstreamConnector(NioSocketChannel.class, NioDatagramChannel.class, ForwardProxy.NONE),
                1, Duration.ofSeconds(60), () -> 0L);
        ServerComponents.Builder components = ServerComponents.builder(
                        new ServerSettings("127.0.0.1", 0, 1, MAX_REQUEST_BYTES, MAX_HEADER_BYTES, Duration.ofSeconds(1),
                                ClientTimeouts.DEFAULTS),
                        routes,
                        authenticator)
                .ticker(ticker::nanoTime)
                .clock(Clock.fixed(Instant.parse("2025-01-02T03:04:05Z"), ZoneOffset.UTC));
        for (CallListener listener : listeners) {
            components.listener(listener);
        }
        return new ServerContext(components.build(), upstream, new DefaultChannelGroup(GlobalEventExecutor.INSTANCE));
    }

    /** A channel whose authenticator answers with {@code lookup}, after a chat request was written to it. */
    private EmbeddedChannel chatAwaitingAuth(CompletableFuture<AuthResult> lookup) {
        context = newContext(pendingAuthenticator(lookup), calls::add);
        EmbeddedChannel channel = newChannel();
        channel.writeInbound(Unpooled.copiedBuffer(
                request("/v1/chat/completions", ProxyFixture.CHAT_BODY.formatted("mock-gpt")), StandardCharsets.UTF_8));
        return channel;
    }

    private static Authenticator pendingAuthenticator(CompletableFuture<AuthResult> lookup) {
        return new Authenticator() {
            @Override
            public AuthResult authenticate(HttpHeaders headers) {
                return AuthResult.pending(lookup);
            }

            @Override
            public boolean isOpen() {
                return false;
            }
        };
    }

    private EmbeddedChannel newChannel() {
        EmbeddedChannel channel = EmbeddedChannel.builder().ticker(ticker).build();
        ServerInitializer.addHandlers(channel.pipeline(), context);
        return channel;
    }

    private static String readAll(EmbeddedChannel channel) {
        StringBuilder out = new StringBuilder();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            try {
                out.append(buf.toString(StandardCharsets.UTF_8));
            } finally {
                buf.release();
            }
        }
        return out.toString();
    }

    /** Replaces the call id, the only part of a response that differs between two identical requests. */
    private static String normalize(String response) {
        Matcher matcher = CALL_ID.matcher(response);
        assertThat(matcher.find()).as("x-litellm-call-id in %s", response).isTrue();
        return response.replace(matcher.group(1), "CALL-ID");
    }

    private static String request(String path, String body) {
        if (body == null) {
            return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
        }
        return RawClient.post(path, body, "");
    }
}
