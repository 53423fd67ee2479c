package dev.llmproxy.proxy.call;

import static dev.llmproxy.proxy.call.CallHarness.head;
import static dev.llmproxy.proxy.call.CallHarness.text;
import static dev.llmproxy.proxy.call.ModelCallTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.llmproxy.proxy.upstream.EmbeddedUpstream;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retries, backoff, fallbacks, cooldowns, per-request options and the proxy-wide parallel limit on in-memory channels
 * with fake time: every wait is a task on the client's event loop, run when the test moves time on.
 */
class ModelCallRetryTest {
    private static final String MODELS = """
            model_list:
              - model_name: gpt
                litellm_params: {model: openai/a, api_base: "http://a.test/v1", api_key: sk-a, timeout: 5}
                model_info: {id: dep-a}
              - model_name: gpt
                litellm_params: {model: openai/b, api_base: "http://b.test/v1", api_key: sk-b, timeout: 5}
                model_info: {id: dep-b}
              - model_name: solo
                litellm_params: {model: openai/s, api_base: "http://s.test/v1", api_key: sk-s, timeout: 5}
                model_info: {id: dep-s}
              - model_name: big
                litellm_params: {model: openai/f, api_base: "http://f.test/v1", api_key: sk-f, timeout: 5}
                model_info: {id: dep-f}
            """;
    private static final String CHAT = "{\"model\":\"gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String OK_BODY =
            "{\"id\":\"x\",\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}}";
    private static final String CONTEXT_ERROR = "{\"error\":{\"message\":\"This model's maximum context length is "
            + "8192 tokens.\",\"type\":\"invalid_request_error\",\"code\":\"context_length_exceeded\"}}";

    @TempDir
    Path dir;

    private CallHarness harness;

    @AfterEach
    void tearDown() {
        harness.close();
    }

    @Test
    void shouldWaitForTheProvidersRetryAfterBeforeRetryingTheOnlyDeployment() {
        harness = new CallHarness(dir, MODELS);
        harness.start("solo", CHAT);
        answer(withRetryAfter(json(HttpResponseStatus.TOO_MANY_REQUESTS, "{\"error\":\"slow\"}"), "2"));

        harness.advance(1999, TimeUnit.MILLISECONDS);
        assertThat(harness.upstream.connections()).as("still waiting, nothing sent").hasSize(1);
        assertThat(harness.received()).isEmpty();
        harness.advance(1, TimeUnit.MILLISECONDS);
        answer(json(HttpResponseStatus.OK, OK_BODY));

        List<HttpObject> parts = harness.received();
        assertThat(head(parts).status().code()).isEqualTo(200);
        assertThat(head(parts).headers().get("x-litellm-attempted-retries")).isEqualTo("1");
        assertThat(head(parts).headers().get("x-litellm-attempted-fallbacks")).isEqualTo("0");
        text(parts);
        assertThat(harness.record().attempts()).extracting(AttemptRecord::deploymentId, AttemptRecord::status)
                .containsExactly(tuple("dep-s", 429),
                        tuple("dep-s", 200));
    }

    @Test
    void shouldSwitchAtOnceToTheOtherDeploymentAndCoolTheRateLimitedOne() {
        harness = new CallHarness(dir, MODELS);
        harness.start("gpt", CHAT);
        answer(withRetryAfter(json(HttpResponseStatus.TOO_MANY_REQUESTS, "{\"error\":\"slow\"}"), "30"));

        assertThat(harness.upstream.last().origin().host()).as("no wait: another deployment is in rotation")
                .isEqualTo("b.test");
        answer(json(HttpResponseStatus.OK, OK_BODY));
        text(harness.received());

        harness.records.clear();
        harness.start("gpt", CHAT);
        assertThat(harness.upstream.last().origin().host()).as("dep-a cools for its Retry-After").isEqualTo("b.test");
        answer(json(HttpResponseStatus.OK, OK_BODY));
        text(harness.received());
        harness.advance(30, TimeUnit.SECONDS);
        harness.records.clear();
        harness.start("gpt", CHAT);
        assertThat(harness.upstream.last().origin().host()).isEqualTo("a.test");
        answer(json(HttpResponseStatus.OK, OK_BODY));
        text(harness.received());
    }

    @Test
    void shouldFallBackToTheNextGroupWhenTheRetriesAreUsedUp() {
        harness = new CallHarness(dir, MODELS + "router_settings: {num_retries: 1, fallbacks: [{gpt: [big]}]}\n");
        harness.start("gpt", CHAT);
        answer(json(HttpResponseStatus.INTERNAL_SERVER_ERROR, "{\"error\":\"a\"}"));
        answer(json(HttpResponseStatus.INTERNAL_SERVER_ERROR, "{\"error\":\"b\"}"));

        assertThat(harness.upstream.last().origin().host()).isEqualTo("f.test");
        answer(json(HttpResponseStatus.OK, OK_BODY));

        List<HttpObject> parts = harness.received();
        HttpResponse head = head(parts);
        assertThat(head.status().code()).isEqualTo(200);
        assertThat(head.headers().get("x-litellm-model-group")).isEqualTo("big");
        assertThat(head.headers().get("x-litellm-attempted-retries")).isEqualTo("1");
        assertThat(head.headers().get("x-litellm-attempted-fallbacks")).isEqualTo("1");
        assertThat(text(parts)).isEqualTo(OK_BODY);
        CallRecord record = harness.record();
        assertThat(record.modelGroup()).isEqualTo("big");
        assertThat(record.attempts()).extracting(AttemptRecord::deploymentId)
                .containsExactly("dep-a", "dep-b", "dep-f");
    }

    @Test
    void shouldGoStraightToTheContextWindowFallbackOnAContextLengthError() {
        harness = new CallHarness(dir, MODELS + "router_settings: {context_window_fallbacks: [{gpt: [big]}]}\n");
        harness.start("gpt", CHAT);
        answer(json(HttpResponseStatus.BAD_REQUEST, CONTEXT_ERROR));

        assertThat(harness.upstream.last().origin().host()).as("no retry on dep-b: it has the same window")
                .isEqualTo("f.test");
        answer(json(HttpResponseStatus.OK, OK_BODY));
        List<HttpObject> parts = harness.received();
        assertThat(head(parts).status().code()).isEqualTo(200);
        text(parts);
        assertThat(harness.record().attempts()).extracting(AttemptRecord::deploymentId)
                .containsExactly("dep-a", "dep-f");
    }

    @Test
    void shouldRelayABadRequestAsItIsWithoutRetrying() {
        harness = new CallHarness(dir, MODELS);
        harness.start("gpt", CHAT);
        answer(json(HttpResponseStatus.BAD_REQUEST, "{\"error\":{\"message\":\"bad tool schema\"}}"));

        List<HttpObject> parts = harness.received();
        assertThat(head(parts).status().code()).isEqualTo(400);
        assertThat(head(parts).headers().get("x-litellm-attempted-retries")).isEqualTo("0");
        assertThat(text(parts)).isEqualTo("{\"error\":{\"message\":\"bad tool schema\"}}");
        assertThat(harness.record().attempts()).hasSize(1);
    }

    @Test
    void shouldRecordTheCallAndSendNothingMoreWhenTheClientLeavesDuringABackoff() {
        harness = new CallHarness(dir, MODELS);
        ModelCall call = harness.start("solo", CHAT);
        answer(withRetryAfter(json(HttpResponseStatus.TOO_MANY_REQUESTS, "{\"error\":\"slow\"}"), "10"));

        call.onClientGone();
        harness.advance(10, TimeUnit.SECONDS);

        assertThat(harness.upstream.connections()).hasSize(1);
        CallRecord record = harness.record();
        assertThat(record.status()).isEqualTo(499);
        assertThat(record.attempts()).hasSize(1);
        assertThat(harness.lastBody().refCnt()).isZero();
    }

    @Test
    void shouldNameWhatWasTriedWhenEveryAttemptFailsOnTheGatewaysSide() {
        harness = new CallHarness(dir, MODELS + "router_settings: {num_retries: 1}\n");
        harness.start("gpt", CHAT);
        harness.upstream.last().request().release();
        harness.advance(5, TimeUnit.SECONDS);
        harness.upstream.last().request().release();
        harness.advance(5, TimeUnit.SECONDS);

        List<HttpObject> parts = harness.received();
        assertThat(head(parts).status().code()).isEqualTo(408);
        assertThat(text(parts)).contains("Received Model Group=gpt")
                .contains("LiteLLM Retried: 1 times, Fallbacks tried: 0");
        assertThat(harness.record().attempts()).extracting(AttemptRecord::error)
                .containsExactly(ProxyError.UPSTREAM_TIMEOUT, ProxyError.UPSTREAM_TIMEOUT);
    }

    @Test
    void shouldGiveEachAttemptTheRequestsOwnTimeout() {
        harness = new CallHarness(dir, MODELS);
        harness.disableRetries();
        harness.options = new CallOptions(-1, TimeUnit.SECONDS.toNanos(1));
        harness.start("solo", CHAT);
        harness.upstream.last().request().release();

        harness.advance(1, TimeUnit.SECONDS);

        List<HttpObject> parts = harness.received();
        assertThat(head(parts).status().code()).isEqualTo(408);
        assertThat(text(parts)).contains("no data from the provider for 1.0 s");
    }

    @Test
    void shouldRetryAsManyTimesAsTheRequestAsks() {
        harness = new CallHarness(dir, MODELS);
        harness.options = new CallOptions(0, 0);
        harness.start("gpt", CHAT);
        answer(json(HttpResponseStatus.SERVICE_UNAVAILABLE, "{\"error\":\"a\"}"));

        List<HttpObject> parts = harness.received();
        assertThat(head(parts).status().code()).isEqualTo(503);
        text(parts);
        assertThat(harness.upstream.connections()).hasSize(1);
    }

    @Test
    void shouldAnswer429BeyondGlobalMaxParallelRequestsAndFreeTheSlotWhenACallEnds() {
        harness = new CallHarness(dir, MODELS);
        harness.callsInFlight = new CallsInFlight(1);
        harness.start("solo", CHAT);

        harness.start("solo", CHAT);
        List<HttpObject> refused = harness.received();
        assertThat(head(refused).status().code()).isEqualTo(429);
        assertThat(head(refused).headers().get("retry-after")).isEqualTo("1");
        assertThat(text(refused)).contains("Max parallel request limit reached")
                .contains("global_max_parallel_requests: 1");
        assertThat(harness.records).extracting(CallRecord::error).containsExactly(ProxyError.PARALLEL_LIMIT_REACHED);

        answer(json(HttpResponseStatus.OK, OK_BODY));
        text(harness.received());
        harness.start("solo", CHAT);
        answer(json(HttpResponseStatus.OK, OK_BODY));
        List<HttpObject> admitted = harness.received();
        assertThat(head(admitted).status().code()).as("the first call gave its slot back").isEqualTo(200);
        text(admitted);
    }

    @Test
    void shouldRetryAStreamWhoseProviderClosesAfterItsHeadBeforeAnyEvent() {
        harness = new CallHarness(dir, MODELS);
        harness.start("gpt", "{\"model\":\"gpt\",\"stream\":true,\"messages\":[]}");
        EmbeddedUpstream.Connection first = harness.upstream.last();
        first.request().release();

        first.respond(ModelCallTest.eventStreamHead());
        assertThat(harness.received()).as("nothing is committed before the first event").isEmpty();
        first.close();

        EmbeddedUpstream.Connection second = harness.upstream.last();
        assertThat(second.origin().host()).isEqualTo("b.test");
        second.request().release();
        second.respond(ModelCallTest.eventStreamHead(), ModelCallTest.event("{\"choices\":[]}"),
                LastHttpContent.EMPTY_LAST_CONTENT);
        List<HttpObject> parts = harness.received();
        assertThat(head(parts).status().code()).isEqualTo(200);
        assertThat(head(parts).headers().get("x-litellm-model-id")).isEqualTo("dep-b");
        assertThat(text(parts)).isEqualTo("data: {\"choices\":[]}\n\n");
        assertThat(harness.record().attempts()).extracting(AttemptRecord::error)
                .containsExactly(ProxyError.UPSTREAM_CLOSED, null);
    }

    /** The last connection's request is released and {@code response} sent as its answer. */
    private void answer(FullHttpResponse response) {
        EmbeddedUpstream.Connection connection = harness.upstream.last();
        connection.request().release();
        connection.respond(response);
    }

    private static FullHttpResponse withRetryAfter(FullHttpResponse response, String seconds) {
        response.headers().set("retry-after", seconds);
        return response;
    }
}
