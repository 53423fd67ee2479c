package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.llmproxy.bench.mock.MockFault;
import dev.llmproxy.proxy.call.AttemptRecord;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.call.ProxyError;
import java.net.http.HttpResponse;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Retries, fallbacks and cooldowns over real sockets, against two mock providers told to fail in the ways providers
 * do: 429 with and without {@code Retry-After}, 500, 503, a hang, a reset connection, a context-length error and a
 * content-policy refusal. Deployment {@code a} (order 1) is on the first mock, {@code b} (order 2) on the second, so
 * the first attempt of a {@code pair} call always goes to {@code a}.
 */
class ProxyServerRetryTest extends TwoProviderFlowTest {
    private static final String MODELS = """
            model_list:
              - model_name: pair
                litellm_params: {model: openai/model-a, api_base: %1$s, api_key: sk-a, order: 1, timeout: 5}
                model_info: {id: a}
              - model_name: pair
                litellm_params: {model: openai/model-b, api_base: %2$s, api_key: sk-b, order: 2, timeout: 5}
                model_info: {id: b}
              - model_name: solo
                litellm_params: {model: openai/model-s, api_base: %1$s, api_key: sk-s}
                model_info: {id: s}
              - model_name: big
                litellm_params: {model: openai/model-big, api_base: %2$s, api_key: sk-big}
                model_info: {id: big}
            """;
    private static final String STREAM_BODY =
            "{\"model\":\"pair\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Override
    String models() {
        return MODELS;
    }

    @Test
    void shouldAnswerFromTheSecondDeploymentAndCoolTheFirstWhenItAnswers429() {
        start("");
        first.enqueueFaults(MockFault.status(429));

        HttpResponse<String> response = proxy.chat("pair");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-litellm-model-id")).hasValue("b");
        assertThat(response.headers().firstValue("x-litellm-attempted-retries")).hasValue("1");
        assertThat(attempts(proxy.awaitCalls(1))).containsExactly(tuple("a", 429), tuple("b", 200));

        HttpResponse<String> next = proxy.chat("pair");
        assertThat(next.headers().firstValue("x-litellm-model-id")).as("a cools for 5 s").hasValue("b");
        assertThat(first.requestsReceived()).isEqualTo(1);
    }

    @Test
    void shouldRetryTheOnlyDeploymentAfterItsRetryAfterOn500And503() {
        start("");
        first.enqueueFaults(MockFault.status(500).withRetryAfter("0.05"), MockFault.status(503).withRetryAfter("0.05"));

        HttpResponse<String> response = proxy.chat("solo");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-litellm-attempted-retries")).hasValue("2");
        assertThat(attempts(proxy.awaitCalls(1))).containsExactly(tuple("s", 500), tuple("s", 503), tuple("s", 200));
    }

    @Test
    void shouldRelayTheLastProviderErrorWhenTheRetriesAreUsedUp() {
        start("router_settings: {num_retries: 1}\n");
        first.failEvery(MockFault.status(429).withRetryAfter("0.05"));

        HttpResponse<String> response = proxy.chat("solo");

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.body()).contains("Mock error 429");
        assertThat(response.headers().firstValue("x-litellm-attempted-retries")).hasValue("1");
        assertThat(first.requestsReceived()).isEqualTo(2);
    }

    @Test
    void shouldRetryElsewhereWhenTheProviderResetsTheConnection() {
        start("");
        first.enqueueFaults(MockFault.reset());

        HttpResponse<String> response = proxy.chat("pair");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-litellm-model-id")).hasValue("b");
        CallRecord record = proxy.awaitCalls(1);
        assertThat(record.attempts()).extracting(AttemptRecord::deploymentId).containsExactly("a", "b");
        assertThat(record.attempts().get(0).error()).isIn(ProxyError.UPSTREAM_CLOSED,
                ProxyError.UPSTREAM_CONNECT_FAILED);
    }

    @Test
    void shouldRetryElsewhereWhenTheProviderHangsPastTheRequestsTimeout() {
        start("");
        first.enqueueFaults(MockFault.hang());

        HttpResponse<String> response = proxy.chat("pair", "x-litellm-timeout", "0.3");

        assertThat(response.statusCode()).isEqualTo(200);
        CallRecord record = proxy.awaitCalls(1);
        assertThat(attempts(record)).containsExactly(tuple("a", 408), tuple("b", 200));
        assertThat(record.attempts().get(0).error()).isEqualTo(ProxyError.UPSTREAM_TIMEOUT);
    }

    @Test
    void shouldRetryAStreamWhoseProviderFailsBeforeItsFirstByte() {
        start("");
        first.enqueueFaults(MockFault.status(503));

        HttpResponse<String> response = proxy.post("/v1/chat/completions", STREAM_BODY);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/event-stream"));
        assertThat(response.body()).contains("data: [DONE]");
        assertThat(attempts(proxy.awaitCalls(1))).containsExactly(tuple("a", 503), tuple("b", 200));
    }

    @Test
    void shouldFallBackToTheContextWindowGroupOnAContextLengthError() {
        start("router_settings: {context_window_fallbacks: [{pair: [big]}]}\n");
        first.enqueueFaults(MockFault.contextLengthExceeded());

        HttpResponse<String> response = proxy.chat("pair");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-litellm-model-group")).hasValue("big");
        assertThat(response.headers().firstValue("x-litellm-attempted-fallbacks")).hasValue("1");
        assertThat(attempts(proxy.awaitCalls(1))).containsExactly(tuple("a", 400), tuple("big", 200));
    }

    @Test
    void shouldFallBackToTheContentPolicyGroupOnAContentPolicyRefusal() {
        start("litellm_settings: {content_policy_fallbacks: [{pair: [big]}]}\n");
        first.enqueueFaults(MockFault.contentPolicyViolation());

        HttpResponse<String> response = proxy.chat("pair");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-litellm-model-id")).hasValue("big");
    }

    @Test
    void shouldRelayAContextLengthErrorWhenNoFallbackIsConfigured() {
        start("");
        first.enqueueFaults(MockFault.contextLengthExceeded());

        HttpResponse<String> response = proxy.chat("pair");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("context_length_exceeded");
        assertThat(second.requestsReceived()).as("the other deployment has the same window").isZero();
    }

    @Test
    void shouldFallBackWhenEveryDeploymentOfTheGroupFails() {
        start("router_settings: {num_retries: 1, fallbacks: [{pair: [big]}]}\n");
        first.enqueueFaults(MockFault.status(500));
        second.enqueueFaults(MockFault.status(500));

        HttpResponse<String> response = proxy.chat("pair");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-litellm-attempted-fallbacks")).hasValue("1");
        CallRecord record = proxy.awaitCalls(1);
        assertThat(record.modelGroup()).isEqualTo("big");
        assertThat(attempts(record)).containsExactly(tuple("a", 500), tuple("b", 500), tuple("big", 200));
    }

    @Test
    void shouldSendTheGroupsRateLimitHeadersOnSuccessAndOn429() {
        SettableClock clock = new SettableClock(Instant.parse("2026-12-01T16:00:15Z"));
        proxy = ProxyFixture.builder(dir, """
                model_list:
                  - model_name: limited
                    litellm_params: {model: openai/model-a, api_base: %1$s, api_key: sk-a, rpm: 2, tpm: 1000}
                  - model_name: limited
                    litellm_params: {model: openai/model-b, api_base: %2$s, api_key: sk-b, rpm: 1, tpm: 500}
                """.formatted(first.baseUrl(), second.baseUrl()))
                .components(components -> components.clock(clock))
                .start();

        HttpResponse<String> ok = proxy.chat("limited");
        assertThat(ok.headers().firstValue("x-ratelimit-limit-requests")).hasValue("3");
        assertThat(ok.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("2");
        assertThat(ok.headers().firstValue("x-ratelimit-limit-tokens")).hasValue("1500");
        proxy.chat("limited");
        proxy.chat("limited");
        HttpResponse<String> refused = proxy.chat("limited");

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
        assertThat(refused.headers().firstValue("x-ratelimit-limit-requests")).hasValue("3");
    }

    @Test
    void shouldRefuseAnInvalidNumRetriesHeaderWith400() {
        start("");

        HttpResponse<String> response = proxy.chat("pair", "x-litellm-num-retries", "many");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("x-litellm-num-retries must be a whole number >= 0");
        assertThat(first.requestsReceived()).isZero();
    }

    @Test
    void shouldNotRetryWhenTheRequestAsksForNoRetries() {
        start("");
        first.enqueueFaults(MockFault.status(503));

        HttpResponse<String> response = proxy.chat("pair", "x-litellm-num-retries", "0");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(second.requestsReceived()).isZero();
    }

    @Test
    void shouldFollowTheRoutingParametersOfTheBodyAndNeverSendThemToTheProvider() {
        start("");
        first.enqueueFaults(MockFault.status(500));
        String body = "{\"model\":\"pair\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"num_retries\":0,\"fallbacks\":[\"big\"],\"timeout\":5}";

        HttpResponse<String> response = proxy.post("/v1/chat/completions", body);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-litellm-model-group")).hasValue("big");
        assertThat(attempts(proxy.awaitCalls(1))).containsExactly(tuple("a", 500), tuple("big", 200));
        assertThat(second.requests()).singleElement().satisfies(request -> assertThat(request.body())
                .contains("\"model\":\"model-big\"").doesNotContain("fallbacks", "num_retries", "timeout"));
    }

    @Test
    void shouldRefuseARoutingParameterOfTheWrongTypeWith400() {
        start("");

        HttpResponse<String> response = proxy.post("/v1/chat/completions",
                "{\"model\":\"pair\",\"messages\":[],\"fallbacks\":\"big\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("fallbacks must be a list of model names");
        assertThat(first.requestsReceived()).isZero();
    }

    @Test
    void shouldSendAModelNoGroupServesToTheFirstDefaultFallback() {
        start("router_settings: {default_fallbacks: [nothing-here, big]}\n");

        HttpResponse<String> response = proxy.chat("no-such-model");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-litellm-model-group")).hasValue("big");
        assertThat(proxy.awaitCalls(1).requestedModel()).isEqualTo("no-such-model");
    }


}
