package dev.llmproxy.proxy.call;

import static dev.llmproxy.proxy.call.CallHarness.head;
import static dev.llmproxy.proxy.call.CallHarness.text;
import static dev.llmproxy.proxy.call.ModelCallTest.event;
import static dev.llmproxy.proxy.call.ModelCallTest.eventStreamHead;
import static dev.llmproxy.proxy.call.ModelCallTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.json.RequestInfo;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.sse.SseEventFramer;
import dev.llmproxy.proxy.provider.BaseUrl;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.provider.ProviderAdapter;
import dev.llmproxy.proxy.provider.ResponseTranslator;
import dev.llmproxy.proxy.provider.UpstreamAuth;
import dev.llmproxy.proxy.route.ModelRoute;
import dev.llmproxy.proxy.route.TestRoutes;
import dev.llmproxy.proxy.upstream.EmbeddedUpstream;
import dev.llmproxy.proxy.upstream.Origin;
import dev.llmproxy.proxy.upstream.TlsPolicy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a provider adapter contributes to an attempt, with an adapter of the test's own: its path, its request
 * encoding, credentials that are not at hand at first, and the translation of bodies, errors and stream events.
 */
class ProviderAdapterSeamTest {
    private static final String CHAT = "{\"model\":\"t\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String STREAM = "{\"model\":\"t\",\"stream\":true,\"messages\":[]}";

    @TempDir
    Path dir;

    private CallHarness harness;
    private final TokenAuth auth = new TokenAuth();
    private ModelRoute route;

    @BeforeEach
    void setUp() {
        harness = new CallHarness(dir, "model_list: []\n");
        harness.disableRetries();
        route = TestRoutes.single("t", "dep-t", "native-model", new TranslatingAdapter(auth),
                new BaseUrl(new Origin(false, "t.test", 9000, TlsPolicy.VERIFY), "/api"), Duration.ofSeconds(5));
        auth.token = "t1";
    }

    @AfterEach
    void tearDown() {
        harness.close();
    }

    @Test
    void shouldSendAdaptersPathAndEncodingWhenCallingTranslatedProvider() {
        harness.start(route, STREAM);

        FullHttpRequest sent = harness.upstream.last().request();
        assertThat(sent.uri()).isEqualTo("/api/native-model:stream");
        assertThat(sent.headers().get("x-token")).isEqualTo("t1");
        assertThat(sent.content().toString(StandardCharsets.UTF_8)).isEqualTo("{\"wrapped\":" + STREAM + "}");
        sent.release();
    }

    @Test
    void shouldTranslateWholeBodyAndSetItsLengthWhenAdapterHasTranslator() {
        harness.start(route, CHAT);
        EmbeddedUpstream.Connection connection = harness.upstream.last();
        connection.request().release();

        connection.respond(json(HttpResponseStatus.OK, "{\"native\":1}"));

        List<HttpObject> parts = harness.received();
        HttpResponse head = head(parts);
        String expected = "{\"object\":\"chat.completion\",\"from\":{\"native\":1}}";
        assertThat(head.status().code()).isEqualTo(200);
        assertThat(head.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(expected.length());
        assertThat(head.headers().get("x-litellm-model-id")).isEqualTo("dep-t");
        assertThat(text(parts)).isEqualTo(expected);
        assertThat(harness.record().usage()).isEqualTo(Usage.of(1, 2));
        assertThat(connection.returnedToPool()).isEqualTo(1);
    }

    @Test
    void shouldTranslateErrorBodyKeepingStatusWhenProviderAnswersError() {
        harness.start(route, CHAT);
        EmbeddedUpstream.Connection connection = harness.upstream.last();
        connection.request().release();

        connection.respond(json(HttpResponseStatus.BAD_REQUEST, "bad thing"));

        List<HttpObject> parts = harness.received();
        assertThat(head(parts).status().code()).isEqualTo(400);
        assertThat(text(parts)).isEqualTo("{\"error\":{\"message\":\"bad thing\",\"code\":\"400\"}}");
        assertThat(harness.record().status()).isEqualTo(400);
    }

    @Test
    void shouldDropEventsAndAppendClosingEventWhenTranslatorSaysSo() {
        harness.start(route, STREAM);
        EmbeddedUpstream.Connection connection = harness.upstream.last();
        connection.request().release();

        connection.respond(eventStreamHead(), event("ping"), event("{\"n\":1}"), event("ping"),
                LastHttpContent.EMPTY_LAST_CONTENT);

        assertThat(text(harness.received())).isEqualTo("data: {\"n\":1}\n\ndata: [DONE]\n\n");
        assertThat(harness.record().usage()).isEqualTo(Usage.of(1, 2));
    }

    @Test
    void shouldSplitOneProviderEventIntoSeveralWhenTranslatorReplacesIt() {
        harness.start(route, STREAM);
        EmbeddedUpstream.Connection connection = harness.upstream.last();
        connection.request().release();

        connection.respond(eventStreamHead(), event("{\"n\":0}"), event("pair:7"), event("{\"n\":2}"),
                LastHttpContent.EMPTY_LAST_CONTENT);

        assertThat(text(harness.received())).isEqualTo("data: {\"n\":0}\n\ndata: {\"first\":7}\n\n"
                + "data: {\"second\":7}\n\ndata: {\"n\":2}\n\ndata: [DONE]\n\n");
    }

    @Test
    void shouldWaitForCredentialsThenSendWhenTokenIsNotAtHand() {
        auth.token = null;
        harness.start(route, CHAT);
        EmbeddedUpstream.Connection connection = harness.upstream.last();
        assertThat((Object) harness.client.readOutbound()).isNull();

        auth.token = "t2";
        auth.refreshed.complete(null);
        harness.client.runPendingTasks();

        FullHttpRequest sent = connection.request();
        assertThat(sent.headers().get("x-token")).isEqualTo("t2");
        sent.release();
    }

    @Test
    void shouldAnswer502WhenCredentialsCannotBeHad() {
        auth.token = null;
        harness.start(route, CHAT);
        EmbeddedUpstream.Connection connection = harness.upstream.last();

        auth.refreshed.completeExceptionally(new IllegalStateException("token endpoint down"));
        harness.client.runPendingTasks();

        List<HttpObject> parts = harness.received();
        assertThat(head(parts).status().code()).isEqualTo(502);
        assertThat(text(parts)).contains("Cannot authenticate with the provider").doesNotContain("token endpoint");
        assertThat(connection.isOpen()).isFalse();
        assertThat(harness.record().error()).isEqualTo(ProxyError.UPSTREAM_CONNECT_FAILED);
    }

    /** A token that may be missing until a refresh completes. */
    private static final class TokenAuth implements UpstreamAuth {
        @Nullable String token;
        final CompletableFuture<Void> refreshed = new CompletableFuture<>();

        @Override
        public boolean apply(HttpRequest request, ByteBuf body) {
            String current = token;
            if (current == null) {
                return false;
            }
            request.headers().set("x-token", current);
            return true;
        }

        @Override
        public CompletionStage<?> ready() {
            return refreshed;
        }
    }

    private static ByteBufAllocator alloc() {
        return UnpooledByteBufAllocator.DEFAULT;
    }

    /** A provider that wraps requests and answers in a shape of its own. */
    private static final class TranslatingAdapter implements ProviderAdapter {
        private final UpstreamAuth auth;

        TranslatingAdapter(UpstreamAuth auth) {
            this.auth = auth;
        }

        @Override
        public String requestPath(String upstreamModel, Endpoint endpoint, boolean stream) {
            return "/api/" + upstreamModel + (stream ? ":stream" : ":call");
        }

        @Override
        public boolean asksForStreamUsage(Endpoint endpoint, RequestInfo info) {
            return false;
        }

        @Override
        public ByteBuf encodeRequest(ByteBufAllocator alloc, ByteBuf body, RequestInfo info,
                byte[] upstreamModelJson, boolean askForUsage) {
            ByteBuf out = alloc.buffer();
            out.writeCharSequence("{\"wrapped\":", StandardCharsets.UTF_8);
            out.writeBytes(body, body.readerIndex(), body.readableBytes());
            out.writeByte('}');
            return out;
        }

        @Override
        public UpstreamAuth auth() {
            return auth;
        }

        @Override
        public ResponseTranslator newTranslator(Endpoint endpoint, boolean stream) {
            return new ResponseTranslator() {
                @Override
                public ByteBuf translateBody(ByteBufAllocator alloc, ByteBuf body) {
                    try {
                        return ByteBufUtil.writeUtf8(alloc, "{\"object\":\"chat.completion\",\"from\":"
                                + body.toString(StandardCharsets.UTF_8) + "}");
                    } finally {
                        body.release();
                    }
                }

                @Override
                public ByteBuf translateError(ByteBufAllocator alloc, int status, ByteBuf body) {
                    try {
                        return ByteBufUtil.writeUtf8(alloc, "{\"error\":{\"message\":\""
                                + body.toString(StandardCharsets.UTF_8) + "\",\"code\":\"" + status + "\"}}");
                    } finally {
                        body.release();
                    }
                }

                @Override
                public SseEventFramer.Decision onEvent(ByteBuf data, int index, int length,
                        SseEventFramer.Emitter out) {
                    String event = data.toString(index, length, StandardCharsets.UTF_8);
                    if (event.equals("ping")) {
                        return SseEventFramer.Decision.DROP;
                    }
                    if (event.startsWith("pair:")) {
                        // One provider event becomes two client events.
                        String value = event.substring(5);
                        out.emit(ByteBufUtil.writeUtf8(alloc(), "data: {\"first\":" + value + "}\n\n"));
                        out.emit(ByteBufUtil.writeUtf8(alloc(), "data: {\"second\":" + value + "}\n\n"));
                        return SseEventFramer.Decision.REPLACE;
                    }
                    return SseEventFramer.Decision.FORWARD;
                }

                @Override
                public @Nullable ByteBuf finishStream(ByteBufAllocator alloc) {
                    return ByteBufUtil.writeAscii(alloc, "data: [DONE]\n\n");
                }

                @Override
                public Usage usage() {
                    return Usage.of(1, 2);
                }
            };
        }
    }
}
