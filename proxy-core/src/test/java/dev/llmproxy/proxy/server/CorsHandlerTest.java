package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.proxy.auth.MasterKeyAuthenticator;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.config.ConfigLoader;
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
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CORS as LiteLLM answers it ({@link CorsHandler}, {@link CorsPolicy}), in the whole client pipeline on an
 * {@link EmbeddedChannel}: preflights for every path without a key, allow-origin headers on every response
 * (errors included), and a configured list of origins.
 */
class CorsHandlerTest {
    private static final String MASTER_KEY = "sk-master-key-for-cors-tests-123";
    private static final String APP = "https://app.example";

    @TempDir
    Path dir;

    private final List<CallRecord> calls = new CopyOnWriteArrayList<>();
    private RouteTable routes;

    @BeforeEach
    void setUp() throws IOException {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, """
                model_list:
                  - model_name: mock-gpt
                    litellm_params:
                      model: openai/gpt-4o-mini
                      mock_response: "Hello from CORS"
                """);
        routes = RouteTable.build(ConfigLoader.load(file, Map.of()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/chat/completions", "/chat/completions", "/v1/models", "/health", "/not/a/route"})
    void shouldAnswerPreflightWithoutKeyWhenAnyOriginIsAllowed(String path) {
        EmbeddedChannel channel = newChannel(CorsPolicy.ANY_ORIGIN);
        channel.writeInbound(ascii("OPTIONS " + path + " HTTP/1.1\r\nHost: x\r\nOrigin: " + APP + "\r\n"
                + "Access-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: authorization, content-type"
                + "\r\n\r\n"));

        String out = readAll(channel).toLowerCase(Locale.ROOT);
        assertThat(out).startsWith("http/1.1 200 ")
                .contains("access-control-allow-origin: " + APP)
                .contains("access-control-allow-credentials: true")
                .contains("access-control-allow-methods: delete, get, head, options, patch, post, put")
                .contains("access-control-allow-headers: authorization, content-type")
                .contains("access-control-max-age: 600")
                .contains("vary: origin")
                .doesNotContain("connection: close");
        assertThat(calls).singleElement().satisfies(record -> {
            assertThat(record.status()).isEqualTo(200);
            assertThat(record.error()).isNull();
        });

        // The connection carries the actual request next.
        channel.writeInbound(ascii(RawClient.post("/v1/chat/completions", ProxyFixture.CHAT_BODY.formatted("mock-gpt"),
                "Origin: " + APP + "\r\nAuthorization: Bearer " + MASTER_KEY + "\r\n")));
        assertThat(readAll(channel).toLowerCase(Locale.ROOT)).startsWith("http/1.1 200 ")
                .contains("access-control-allow-origin: *").contains("hello from cors");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void shouldAddAllowOriginToErrorsWhenRequestHasOrigin() {
        EmbeddedChannel channel = newChannel(CorsPolicy.ANY_ORIGIN);
        channel.writeInbound(ascii(RawClient.post("/v1/chat/completions", ProxyFixture.CHAT_BODY.formatted("mock-gpt"),
                "Origin: " + APP + "\r\nCookie: session=1\r\n")));

        String out = readAll(channel).toLowerCase(Locale.ROOT);
        assertThat(out).startsWith("http/1.1 401 ")
                .contains("access-control-allow-origin: " + APP)
                .contains("access-control-allow-credentials: true");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void shouldSendNoCorsHeadersWhenRequestHasNoOrigin() {
        EmbeddedChannel channel = newChannel(CorsPolicy.ANY_ORIGIN);
        channel.writeInbound(ascii("OPTIONS /v1/chat/completions HTTP/1.1\r\nHost: x\r\n\r\n"));

        String out = readAll(channel).toLowerCase(Locale.ROOT);
        assertThat(out).startsWith("http/1.1 405 ").doesNotContain("access-control-");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void shouldAllowOnlyListedOriginsWhenOriginsAreConfigured() {
        EmbeddedChannel channel = newChannel(CorsPolicy.of(List.of(APP), null));
        channel.writeInbound(ascii("OPTIONS /v1/chat/completions HTTP/1.1\r\nHost: x\r\nOrigin: https://evil.example"
                + "\r\nAccess-Control-Request-Method: POST\r\n\r\n"));
        String refused = readAll(channel).toLowerCase(Locale.ROOT);
        assertThat(refused).startsWith("http/1.1 400 ").contains("disallowed cors origin")
                .doesNotContain("access-control-allow-origin");

        channel.writeInbound(ascii("GET /v1/models HTTP/1.1\r\nHost: x\r\nOrigin: https://evil.example\r\n"
                + "Authorization: Bearer " + MASTER_KEY + "\r\n\r\n"));
        assertThat(readAll(channel).toLowerCase(Locale.ROOT)).startsWith("http/1.1 200 ")
                .doesNotContain("access-control-allow-origin");

        channel.writeInbound(ascii("GET /v1/models HTTP/1.1\r\nHost: x\r\nOrigin: " + APP + "\r\n"
                + "Authorization: Bearer " + MASTER_KEY + "\r\n\r\n"));
        assertThat(readAll(channel).toLowerCase(Locale.ROOT)).startsWith("http/1.1 200 ")
                .contains("access-control-allow-origin: " + APP).contains("vary: origin")
                .doesNotContain("access-control-allow-credentials");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void shouldDropCredentialsWhenWildcardIsListed() {
        EmbeddedChannel channel = newChannel(CorsPolicy.of(List.of("*"), true));
        channel.writeInbound(ascii("OPTIONS /v1/embeddings HTTP/1.1\r\nHost: x\r\nOrigin: " + APP + "\r\n"
                + "Access-Control-Request-Method: POST\r\n\r\n"));

        String out = readAll(channel).toLowerCase(Locale.ROOT);
        assertThat(out).startsWith("http/1.1 200 ").contains("access-control-allow-origin: *")
                .doesNotContain("access-control-allow-credentials");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    private EmbeddedChannel newChannel(CorsPolicy cors) {
        UpstreamClient upstream = new UpstreamClient(
                new UpstreamConnector(NioSocketChannel.class, NioDatagramChannel.class, ForwardProxy.NONE),
                1, Duration.ofSeconds(60), () -> 0L);
        ServerComponents components = ServerComponents.builder(
                        new ServerSettings("127.0.0.1", 0, 1, 64 * 1024, 8 * 1024, Duration.ofSeconds(1),
                                ClientTimeouts.DEFAULTS),
                        routes, new MasterKeyAuthenticator(MASTER_KEY))
                .ticker(() -> 0L)
                .listener(calls::add)
                .cors(cors)
                .build();
        ServerContext context =
                new ServerContext(components, upstream, new DefaultChannelGroup(GlobalEventExecutor.INSTANCE));
        EmbeddedChannel channel = new EmbeddedChannel();
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
