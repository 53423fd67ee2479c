package dev.llmproxy.proxy.call;

import static dev.llmproxy.proxy.call.CallHarness.head;
import static dev.llmproxy.proxy.call.CallHarness.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.proxy.upstream.EmbeddedUpstream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The call and attempt state machine on in-memory channels with fake time (see {@link CallHarness}): commit,
 * retries before commit, timeouts, failures after commit, the client going away, and backpressure.
 */
class ModelCallTest {
    private static final String CONFIG = """
            model_list:
              - model_name: gpt
                litellm_params: {model: openai/a, api_base: "http://a.test:8001/v1", api_key: sk-a, timeout: 5}
                model_info: {id: dep-a}
              - model_name: gpt
                litellm_params: {model: openai/b, api_base: "http://b.test:8002/v1", api_key: sk-b, timeout: 5}
                model_info: {id: dep-b}
              - model_name: mock
                litellm_params: {model: openai/m, mock_response: "Hi there"}
                model_info: {id: dep-m}
              - model_name: gem
                litellm_params: {model: sagemaker/anthropic.claude-v2}
                model_info: {id: dep-g}
            """;
    private static final String CHAT = "{\"model\":\"gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String STREAM =
            "{\"model\":\"gpt\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String USAGE_BODY =
            "{\"id\":\"x\",\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}}";

    @TempDir
    Path dir;

    private CallHarness harness;

    @BeforeEach
    void setUp() {
        harness = new CallHarness(dir, CONFIG);
    }

    @AfterEach
    void tearDown() {
        harness.close();
    }

    @Test
    void shouldRelayResponseAndReturnConnectionToPoolWhenProviderAnswers() {
        harness.start("gpt", CHAT);
        EmbeddedUpstream.Connection connection = harness.upstream.last();
        FullHttpRequest sent = connection.request();
        assertThat(sent.uri()).isEqualTo("/v1/chat/completions");
        assertThat(sent.headers().get(HttpHeaderNames.AUTHORIZATION)).isEqualTo("Bearer sk-a");
        assertThat(sent.headers().get(HttpHeaderNames.HOST)).isEqualTo("a.test:8001");
        assertThat(sent.content().toString(StandardCharsets.UTF_8)).contains("\"model\":\"a\"");
        sent.release();

        connection.respond(json(HttpResponseStatus.OK, USAGE_BODY));

        List<HttpObject> parts = harness.received();
        HttpResponse head = head(parts);
        assertThat(head.status().code()).isEqualTo(200);
        assertThat(head.headers().get("x-litellm-model-id")).isEqualTo("dep-a");
        assertThat(head.headers().get("x-litellm-call-id")).isEqualTo("call-1");
        assertThat(text(parts)).isEqualTo(USAGE_BODY);
        CallRecord record = harness.record();
        assertThat(record.status()).isEqualTo(200);
        assertThat(record.error()).isNull();
        assertThat(record.deploymentId()).isEqualTo("dep-a");
        assertThat(record.usage().totalTokens()).isEqualTo(7);
        assertThat(record.attempts()).extracting(AttemptRecord::deploymentId, AttemptRecord::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("dep-a", 200));
        assertThat(harness.router.released).containsExactly("dep-a:200:7");
        assertThat(connection.returnedToPool()).isEqualTo(1);
        assertThat(harness.ends).containsExactly(true);
        assertThat(harness.lastBody().refCnt()).isZero();
    }

    @Test
    void shouldTryNextDeploymentWhenFirstCannotConnect() {
        harness.upstream.failNextConnect(new ConnectException("refused"));
        harness.start("gpt", CHAT);

        EmbeddedUpstream.Connection second = harness.upstream.last();
        assertThat(second.origin().host()).isEqualTo("b.test");
        FullHttpRequest sent = second.request();
        assertThat(sent.content().toString(StandardCharsets.UTF_8)).contains("\"model\":\"b\"");
        sent.release();
        second.respond(json(HttpResponseStatus.OK, USAGE_BODY));

        List<HttpObject> parts = harness.received();
        assertThat(head(parts).headers().get("x-litellm-model-id")).isEqualTo("dep-b");
        text(parts);
        CallRecord record = harness.record();
        assertThat(record.status()).isEqualTo(200);
        assertThat(record.attempts()).extracting(AttemptRecord::deploymentId, AttemptRecord::status,
                AttemptRecord::error).containsExactly(
                org.assertj.core.groups.Tuple.tuple("dep-a", 502, ProxyError.UPSTREAM_CONNECT_FAILED),
                org.assertj.core.groups.Tuple.tuple("dep-b", 200, null));
        assertThat(harness.router.released).containsExactly("dep-a:502", "dep-b:200:7");
    }

    @Test
    void shouldRetryElsewhereWithoutRelayingAnythingWhenProviderAnswersRetryableStatusBeforeCommit() {
        harness.start("gpt", CHAT);
        EmbeddedUpstream.Connection first = harness.upstream.last();
        first.request().release();

        first.respond(json(HttpResponseStatus.SERVICE_UNAVAILABLE, "{\"error\":{\"message\":\"overloaded\"}}"));

        assertThat(harness.received()).isEmpty();
        assertThat(first.returnedToPool()).as("the error was read whole: the connection is reusable").isEqualTo(1);
        EmbeddedUpstream.Connection second = harness.upstream.last();
        assertThat(second).isNotSameAs(first);
        second.request().release();
        second.respond(json(HttpResponseStatus.OK, USAGE_BODY));
        List<HttpObject> parts = harness.received();
        assertThat(head(parts).status().code()).isEqualTo(200);
        assertThat(text(parts)).isEqualTo(USAGE_BODY);
        assertThat(harness.record().attempts()).extracting(AttemptRecord::status).containsExactly(503, 200);
        assertThat(harness.router.released).containsExactly("dep-a:503", "dep-b:200:7");
    }

    @Test
    void shouldRelayLastProviderErrorWhenRetriesAreUsedUp() {
        harness.start("gpt", CHAT);
        harness.upstream.last().request().release();
        harness.upstream.last().respond(json(HttpResponseStatus.SERVICE_UNAVAILABLE, "{\"error\":\"a\"}"));
        EmbeddedUpstream.Connection second = harness.upstream.last();
        second.request().release();
        second.respond(json(HttpResponseStatus.SERVICE_UNAVAILABLE, "{\"error\":\"b\"}"));
        assertThat(harness.upstream.connections()).as("both tried: the second retry waits its backoff").hasSize(2);

        harness.advance(500, TimeUnit.MILLISECONDS);
        EmbeddedUpstream.Connection third = harness.upstream.last();
        assertThat(third).isNotSameAs(second);
        third.request().release();
        third.respond(json(HttpResponseStatus.SERVICE_UNAVAILABLE, "{\"error\":\"c\"}"));

        List<HttpObject> parts = harness.received();
        assertThat(head(parts).status().code()).isEqualTo(503);
        assertThat(head(parts).headers().get("x-litellm-attempted-retries")).isEqualTo("2");
        assertThat(text(parts)).isEqualTo("{\"error\":\"c\"}");
        CallRecord record = harness.record();
        assertThat(record.status()).isEqualTo(503);
        assertThat(record.error()).isNull();
        assertThat(record.attempts()).extracting(AttemptRecord::deploymentId)
                .containsExactly("dep-a", "dep-b", "dep-a");
    }

    @Test
    void shouldNotRetryWhenNumRetriesIsZero() {
        harness.disableRetries();
        harness.start("gpt", CHAT);
        EmbeddedUpstream.Connection first = harness.upstream.last();
        first.request().release();

        first.respond(json(HttpResponseStatus.TOO_MANY_REQUESTS, "{\"error\":\"slow down\"}"));

        List<HttpObject> parts = harness.received();
        assertThat(head(parts).status().code()).isEqualTo(429);
        assertThat(text(parts)).isEqualTo("{\"error\":\"slow down\"}");
        assertThat(harness.upstream.connections()).hasSize(1);
        assertThat(first.returnedToPool()).isEqualTo(1);
    }

    @Test
    void shouldAnswer408AndCloseConnectionWhenProviderSendsNoHeadBeforeTimeout() {
        harness.disableRetries();
        harness.start("gpt", CHAT);
        EmbeddedUpstream.Connection connection = harness.upstream.last();
        connection.request().release();

        harness.advance(4900, TimeUnit.MILLISECONDS);
        assertThat(harness.received()).isEmpty();
        harness.advance(200, TimeUnit.MILLISECONDS);

        List<HttpObject> parts = harness.received();
        assertThat(head(parts).status().code()).isEqualTo(408);
        assertThat(text(parts)).contains("\"type\":\"timeout\"").contains("no data from the provider for 5.0 s");
        assertThat(connection.isOpen()).isFalse();
        assertThat(harness.record().error()).isEqualTo(ProxyError.UPSTREAM_TIMEOUT);
        assertThat(harness.router.released).containsExactly("dep-a:408");
        assertThat(harness.ends).containsExactly(true);
    }

    @Test
    void shouldRetryOnAnotherDeploymentWhenFirstTimesOutBeforeCommit() {
        harness.start("gpt", CHAT);
        harness.upstream.last().request().release();

        harness.advance(5, TimeUnit.SECONDS);

        EmbeddedUpstream.Connection second = harness.upstream.last();
        assertThat(second.origin().host()).isEqualTo("b.test");
        second.request().release();
        second.respond(json(HttpResponseStatus.OK, USAGE_BODY));
        List<HttpObject> parts = harness.received();
        assertThat(head(parts).status().code()).isEqualTo(200);
        assertThat(head(parts).headers().get("x-litellm-attempted-retries")).isEqualTo("1");
        text(parts);
        assertThat(harness.record().attempts()).extracting(AttemptRecord::deploymentId, AttemptRecord::error)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("dep-a", ProxyError.UPSTREAM_TIMEOUT),
                        org.assertj.core.groups.Tuple.tuple("dep-b", null));
    }

    @Test
    void shouldEndStreamWithErrorEventAndNotRetryWhenProviderFailsAfterCommit() {
        harness.start("gpt", STREAM);
        EmbeddedUpstream.Connection connection = harness.upstream.last();
        connection.request().release();

        connection.respond(eventStreamHead(), event("{\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}"));
        connection.close();

        List<HttpObject> parts = harness.received();
        assertThat(head(parts).status().code()).isEqualTo(200);
        assertThat(parts.get(parts.size() - 1)).isInstanceOf(LastHttpContent.class);
        assertThat(text(parts)).startsWith("data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n")
                .contains("\"type\":\"api_connection_error\"")
                .contains("before the response was complete");
        assertThat(harness.upstream.connections()).hasSize(1);
        CallRecord record = harness.record();
        assertThat(record.status()).isEqualTo(200);
        assertThat(record.error()).isEqualTo(ProxyError.UPSTREAM_CLOSED);
        assertThat(record.stream()).isTrue();
    }

    @Test
    void shouldEndStreamWithErrorEventWhenProviderFallsSilentAfterCommit() {
        harness.start("gpt", STREAM);
        EmbeddedUpstream.Connection connection = harness.upstream.last();
        connection.request().release();
        connection.respond(eventStreamHead());
        text(harness.received());

        harness.advance(3, TimeUnit.SECONDS);
        connection.respond(event("{\"choices\":[]}"));
        harness.advance(3, TimeUnit.SECONDS);
        assertThat(harness.records).isEmpty();
        harness.advance(3, TimeUnit.SECONDS);

        assertThat(text(harness.received())).startsWith("data: {\"choices\":[]}\n\n").contains("\"type\":\"timeout\"");
        assertThat(connection.isOpen()).isFalse();
        assertThat(harness.record().error()).isEqualTo(ProxyError.UPSTREAM_TIMEOUT);
    }

    @Test
    void shouldCloseUpstreamAndRecord499WhenClientGoesAwayDuringAttempt() {
        ModelCall call = harness.start("gpt", STREAM);
        EmbeddedUpstream.Connection connection = harness.upstream.last();
        connection.request().release();
        connection.respond(eventStreamHead(), event("{\"choices\":[]}"));

        call.onClientGone();

        text(harness.received());
        assertThat(connection.isOpen()).isFalse();
        CallRecord record = harness.record();
        assertThat(record.status()).isEqualTo(499);
        assertThat(record.error()).isEqualTo(ProxyError.CLIENT_CLOSED);
        assertThat(harness.router.released).containsExactly("dep-a:499");
        assertThat(harness.ends).containsExactly(false);
        assertThat(harness.lastBody().refCnt()).isZero();
    }

    @Test
    void shouldCancelAttemptBeforeHeadWhenClientGoesAway() {
        ModelCall call = harness.start("gpt", CHAT);
        EmbeddedUpstream.Connection connection = harness.upstream.last();
        connection.request().release();

        call.onClientGone();
        harness.advance(10, TimeUnit.SECONDS);

        assertThat(harness.received()).isEmpty();
        assertThat(connection.isOpen()).isFalse();
        assertThat(harness.upstream.connections()).hasSize(1);
        assertThat(harness.record().status()).isEqualTo(499);
    }

    @Test
    void shouldPauseProviderReadsWhileClientCannotTakeMore() {
        ModelCall call = harness.start("gpt", STREAM);
        EmbeddedUpstream.Connection connection = harness.upstream.last();
        connection.request().release();
        harness.client.unsafe().outboundBuffer().setUserDefinedWritability(1, false);

        connection.respond(eventStreamHead(), event("{\"choices\":[]}"));
        assertThat(connection.isReading()).isFalse();

        harness.client.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        call.onClientWritable();
        assertThat(connection.isReading()).isTrue();
        connection.respond(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(text(harness.received())).isEqualTo("data: {\"choices\":[]}\n\n");
        assertThat(harness.record().status()).isEqualTo(200);
    }

    @Test
    void shouldNotBlameProviderForTimeSpentWaitingOnSlowClient() {
        ModelCall call = harness.start("gpt", STREAM);
        EmbeddedUpstream.Connection connection = harness.upstream.last();
        connection.request().release();
        harness.client.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        connection.respond(eventStreamHead(), event("{\"choices\":[]}"));

        harness.advance(30, TimeUnit.SECONDS);
        assertThat(harness.records).isEmpty();
        assertThat(connection.isOpen()).isTrue();
        harness.client.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        call.onClientWritable();
        harness.advance(4, TimeUnit.SECONDS);
        connection.respond(LastHttpContent.EMPTY_LAST_CONTENT);

        text(harness.received());
        assertThat(harness.record().status()).isEqualTo(200);
        assertThat(harness.record().error()).isNull();
    }

    @Test
    void shouldCloseSlowClientAndNameItWhenItReadsNothingForItsWriteTimeout() {
        harness.start("gpt", STREAM);
        EmbeddedUpstream.Connection connection = harness.upstream.last();
        connection.request().release();
        harness.client.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        connection.respond(eventStreamHead(), event("{\"choices\":[]}"));

        harness.advance(CallHarness.CLIENT_WRITE_TIMEOUT_NANOS - 1, TimeUnit.NANOSECONDS);
        assertThat(harness.records).isEmpty();
        harness.advance(1, TimeUnit.NANOSECONDS);

        text(harness.received());
        assertThat(harness.client.isOpen()).isFalse();
        assertThat(connection.isOpen()).isFalse();
        assertThat(harness.record().error()).isEqualTo(ProxyError.CLIENT_TOO_SLOW);
        assertThat(harness.ends).containsExactly(false);
    }

    @Test
    void shouldAnswer502AndNeverReuseConnectionWhenResponseHeadIsMalformed() {
        harness.disableRetries();
        harness.start("gpt", CHAT);
        EmbeddedUpstream.Connection connection = harness.upstream.last();
        connection.request().release();
        HttpResponse broken = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        broken.setDecoderResult(DecoderResult.failure(new TooLongHttpHeaderException("headers over 16384 bytes")));

        connection.respond(broken);

        List<HttpObject> parts = harness.received();
        assertThat(head(parts).status().code()).isEqualTo(502);
        assertThat(text(parts)).contains("malformed response").contains("\"type\":\"api_connection_error\"");
        assertThat(connection.isOpen()).isFalse();
        assertThat(connection.returnedToPool()).isZero();
        assertThat(harness.record().error()).isEqualTo(ProxyError.UPSTREAM_PROTOCOL_ERROR);
    }

    @Test
    void shouldTryAnotherDeploymentWhenFirstResponseIsMalformed() {
        harness.start("gpt", CHAT);
        EmbeddedUpstream.Connection first = harness.upstream.last();
        first.request().release();
        HttpResponse broken = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        broken.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("invalid version format")));

        first.respond(broken);
        EmbeddedUpstream.Connection second = harness.upstream.last();
        second.request().release();
        second.respond(json(HttpResponseStatus.OK, USAGE_BODY));

        assertThat(text(harness.received())).isEqualTo(USAGE_BODY);
        assertThat(harness.record().attempts()).extracting(AttemptRecord::error)
                .containsExactly(ProxyError.UPSTREAM_PROTOCOL_ERROR, null);
    }

    @Test
    void shouldEndStreamWithErrorEventWhenChunkIsMalformedAfterCommit() {
        harness.start("gpt", STREAM);
        EmbeddedUpstream.Connection connection = harness.upstream.last();
        connection.request().release();
        DefaultHttpContent broken = new DefaultHttpContent(Unpooled.EMPTY_BUFFER);
        broken.setDecoderResult(DecoderResult.failure(new NumberFormatException("invalid chunk size: zz")));

        connection.respond(eventStreamHead(), event("{\"choices\":[]}"), broken);

        List<HttpObject> parts = harness.received();
        assertThat(parts.get(parts.size() - 1)).isInstanceOf(LastHttpContent.class);
        assertThat(text(parts)).startsWith("data: {\"choices\":[]}\n\n").contains("malformed response");
        assertThat(connection.isOpen()).isFalse();
        assertThat(connection.returnedToPool()).isZero();
        assertThat(harness.record().error()).isEqualTo(ProxyError.UPSTREAM_PROTOCOL_ERROR);
    }

    @Test
    void shouldCutClientConnectionWhenPlainBodyEndsBeforeItsDeclaredLength() {
        harness.start("gpt", CHAT);
        EmbeddedUpstream.Connection connection = harness.upstream.last();
        connection.request().release();
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json").setInt(HttpHeaderNames.CONTENT_LENGTH, 100);
        LastHttpContent cut = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
        cut.setDecoderResult(DecoderResult.failure(new PrematureChannelClosureException("closed")));

        connection.respond(head, new DefaultHttpContent(Unpooled.copiedBuffer("{\"id\":", StandardCharsets.UTF_8)),
                cut);

        List<HttpObject> parts = harness.received();
        assertThat(parts).noneMatch(part -> part instanceof LastHttpContent);
        assertThat(text(parts)).isEqualTo("{\"id\":");
        assertThat(harness.client.isOpen()).isFalse();
        assertThat(harness.record().error()).isEqualTo(ProxyError.UPSTREAM_CLOSED);
    }

    @Test
    void shouldAnswerFromMockDeploymentThroughTheSameEnd() {
        harness.start("mock", "{\"model\":\"mock\",\"messages\":[]}");

        List<HttpObject> parts = harness.received();
        assertThat(head(parts).headers().get("x-litellm-model-id")).isEqualTo("dep-m");
        assertThat(text(parts)).contains("Hi there");
        CallRecord record = harness.record();
        assertThat(record.usage()).isEqualTo(MockAttempt.MOCK_USAGE);
        assertThat(record.attempts()).extracting(AttemptRecord::deploymentId).containsExactly("dep-m");
        assertThat(harness.router.released).containsExactly("dep-m:200:30");
        assertThat(harness.upstream.connections()).isEmpty();
        assertThat(harness.lastBody().refCnt()).isZero();
    }

    @Test
    void shouldAnswer400WithoutAnyAttemptWhenProviderIsNotSupported() {
        harness.start("gem", "{\"model\":\"gem\",\"messages\":[]}");

        List<HttpObject> parts = harness.received();
        assertThat(head(parts).status().code()).isEqualTo(400);
        assertThat(text(parts)).contains("Provider 'sagemaker' (model group gem) is not supported");
        CallRecord record = harness.record();
        assertThat(record.error()).isEqualTo(ProxyError.PROVIDER_NOT_SUPPORTED);
        assertThat(record.attempts()).isEmpty();
        assertThat(harness.router.released).containsExactly("dep-g:400");
        assertThat(harness.upstream.connections()).isEmpty();
    }

    static FullHttpResponse json(HttpResponseStatus status, String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        return response;
    }

    static HttpResponse eventStreamHead() {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
                .set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
        return head;
    }

    static DefaultHttpContent event(String json) {
        return new DefaultHttpContent(Unpooled.copiedBuffer("data: " + json + "\n\n", StandardCharsets.UTF_8));
    }
}
