package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.proxy.auth.AuthResult;
import dev.llmproxy.proxy.auth.Authenticator;
import dev.llmproxy.proxy.auth.MasterKeyAuthenticator;
import dev.llmproxy.proxy.auth.Principal;
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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key checked on the request head ({@link HeadAuthHandler}) in the whole client pipeline on an
 * {@link EmbeddedChannel}: a refused request is answered before its body is read, without {@code 100 Continue}, and
 * an accepted one is not checked twice.
 */
class HeadAuthHandlerTest {
    private static final String MASTER_KEY = "sk-master-key-for-head-auth-tests";
    private static final String CHAT = ProxyFixture.CHAT_BODY.formatted("mock-gpt");

    @TempDir
    Path dir;

    private final MockTicker ticker = Ticker.newMockTicker();
    private final List<CallRecord> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger checks = new AtomicInteger();
    private RouteTable routes;

    @BeforeEach
    void setUp() throws IOException {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, """
                model_list:
                  - model_name: mock-gpt
                    litellm_params:
                      model: openai/gpt-4o-mini
                      mock_response: "Hello from the head check"
                """);
        routes = RouteTable.build(ConfigLoader.load(file, Map.of()));
    }

    @Test
    void shouldAnswer401WithoutContinueWhenHeadHasNoKey() {
        EmbeddedChannel channel = newChannel(counting(new MasterKeyAuthenticator(MASTER_KEY)));
        channel.writeInbound(ascii("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Expect: 100-continue\r\nContent-Length: 10000000\r\n\r\n"));

        String out = readAll(channel);
        assertThat(out).startsWith("HTTP/1.1 401 ").doesNotContain("100 Continue")
                .contains("connection: close").contains("No api key passed in");
        assertThat(channel.pipeline().get(LingeringCloseHandler.class)).isNotNull();
        assertThat(calls).singleElement().satisfies(record -> {
            assertThat(record.error()).isEqualTo(ProxyError.MISSING_KEY);
            assertThat(record.status()).isEqualTo(401);
            assertThat(record.endpoint()).isEqualTo(Endpoint.CHAT_COMPLETIONS);
        });

        // The body the client sends anyway is discarded unread, and nothing else is answered.
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[64 * 1024]));
        assertThat(readAll(channel)).isEmpty();
        assertThat(calls).hasSize(1);
        assertThat(checks).hasValue(1);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void shouldAnswer401AtHeadWhenKeyIsInvalidAndBodyIsChunked() {
        EmbeddedChannel channel = newChannel(counting(new MasterKeyAuthenticator(MASTER_KEY)));
        channel.writeInbound(ascii("POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-wrong\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n10\r\n{\"model\":\"mock-"));

        assertThat(readAll(channel)).startsWith("HTTP/1.1 401 ").contains("Invalid proxy server token passed");
        assertThat(calls).singleElement().satisfies(record -> {
            assertThat(record.error()).isEqualTo(ProxyError.INVALID_KEY);
            assertThat(record.endpoint()).isEqualTo(Endpoint.EMBEDDINGS);
        });
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void shouldCheckKeyOnceWhenRequestIsAccepted() {
        EmbeddedChannel channel = newChannel(counting(new MasterKeyAuthenticator(MASTER_KEY)));
        channel.writeInbound(ascii(RawClient.post("/v1/chat/completions", CHAT,
                "Authorization: Bearer " + MASTER_KEY + "\r\n")));

        assertThat(readAll(channel)).startsWith("HTTP/1.1 200 ").contains("Hello from the head check");
        assertThat(checks).hasValue(1);
        assertThat(calls).singleElement().satisfies(record -> assertThat(record.error()).isNull());
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void shouldKeepConnectionWhenRefusedRequestHasNoBody() {
        EmbeddedChannel channel = newChannel(counting(new MasterKeyAuthenticator(MASTER_KEY)));
        channel.writeInbound(ascii("GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n"));

        String refused = readAll(channel);
        assertThat(refused).startsWith("HTTP/1.1 401 ").doesNotContain("connection: close");
        assertThat(channel.pipeline().get(LingeringCloseHandler.class)).isNull();

        channel.writeInbound(ascii("GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + MASTER_KEY
                + "\r\n\r\n"));
        assertThat(readAll(channel)).startsWith("HTTP/1.1 200 ");
        assertThat(checks).hasValue(2);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void shouldAnswerRefusalInTurnWhenEarlierRequestIsStillAnswered() {
        CompletableFuture<AuthResult> lookup = new CompletableFuture<>();
        Authenticator slowThenMissing = new Authenticator() {
            @Override
            public AuthResult authenticate(HttpHeaders headers) {
                checks.incrementAndGet();
                return headers.contains("x-api-key") ? AuthResult.pending(lookup) : AuthResult.MISSING;
            }

            @Override
            public boolean isOpen() {
                return false;
            }
        };
        EmbeddedChannel channel = newChannel(slowThenMissing);
        channel.writeInbound(ascii(RawClient.post("/v1/chat/completions", CHAT, "x-api-key: sk-looked-up\r\n")
                + RawClient.post("/v1/chat/completions", CHAT, "")));

        // The second request's 401 must not overtake the first request's answer.
        assertThat(readAll(channel)).isEmpty();

        lookup.complete(AuthResult.accepted(Principal.ANONYMOUS));
        channel.runPendingTasks();
        String out = readAll(channel);
        assertThat(out.indexOf("HTTP/1.1 200 ")).isZero();
        assertThat(out.indexOf("HTTP/1.1 401 ")).isPositive();
        assertThat(checks).hasValue(2);
        assertThat(calls).extracting(CallRecord::status).containsExactly(200, 401);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void shouldPassPublicPathsAndUndecodableRequestsUnchecked() {
        EmbeddedChannel channel = newChannel(counting(new MasterKeyAuthenticator(MASTER_KEY)));
        channel.writeInbound(ascii("GET /health/liveliness HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertThat(readAll(channel)).startsWith("HTTP/1.1 200 ");
        channel.writeInbound(ascii("POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"));
        assertThat(readAll(channel)).startsWith("HTTP/1.1 404 ");
        assertThat(checks).hasValue(0);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    private Authenticator counting(Authenticator delegate) {
        return new Authenticator() {
            @Override
            public AuthResult authenticate(HttpHeaders headers) {
                checks.incrementAndGet();
                return delegate.authenticate(headers);
            }

            @Override
            public boolean isOpen() {
                return delegate.isOpen();
            }
        };
    }

    private EmbeddedChannel newChannel(Authenticator authenticator) {
        UpstreamClient upstream = new UpstreamClient(
                new UpstreamConnector(NioSocketChannel.class, NioDatagramChannel.class, ForwardProxy.NONE),
                1, Duration.ofSeconds(60), () -> 0L);
        ServerComponents components = ServerComponents.builder(
                        new ServerSettings("127.0.0.1", 0, 1, 64 * 1024, 8 * 1024, Duration.ofSeconds(1),
                                ClientTimeouts.DEFAULTS),
                        routes, authenticator)
                .ticker(ticker::nanoTime)
                .listener(calls::add)
                .build();
        ServerContext context =
                new ServerContext(components, upstream, new DefaultChannelGroup(GlobalEventExecutor.INSTANCE));
        EmbeddedChannel channel = EmbeddedChannel.builder().ticker(ticker).build();
        ServerInitializer.addHandlers(channel.pipeline(), context);
        return channel;
    }

    private static ByteBuf ascii(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
    }

    private static String readAll(EmbeddedChannel channel) {
        StringBuilder out = new StringBuilder();
        Object msg;
        while ((msg = channel.readOutbound()) != null) {
            if (msg instanceof ByteBuf buf) {
                out.append(buf.toString(StandardCharsets.UTF_8));
                buf.release();
            }
        }
        return out.toString();
    }
}
