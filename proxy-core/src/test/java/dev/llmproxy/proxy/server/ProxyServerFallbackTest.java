package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.llmproxy.bench.mock.MockFault;
import dev.llmproxy.proxy.call.ProxyError;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * Nested fallbacks, a success blocked by a content filter, LiteLLM's {@code mock_testing_*} parameters and the
 * headers that echo the request's retry and timeout settings, over real sockets against two mock providers. Groups
 * {@code solo} and {@code pair}'s deployment {@code a} are on the first mock; {@code pair}'s {@code b} and
 * {@code big} on the second, which records what it receives.
 */
class ProxyServerFallbackTest extends TwoProviderFlowTest {
    private static final String MODELS = """
            model_list:
              - model_name: solo
                litellm_params: {model: openai/model-s, api_base: %1$s, api_key: sk-s}
                model_info: {id: s}
              - model_name: pair
                litellm_params: {model: openai/model-a, api_base: %1$s, api_key: sk-a, order: 1}
                model_info: {id: a}
              - model_name: pair
                litellm_params: {model: openai/model-b, api_base: %2$s, api_key: sk-b, order: 2}
                model_info: {id: b}
              - model_name: big
                litellm_params: {model: openai/model-big, api_base: %2$s, api_key: sk-big}
                model_info: {id: big}
            """;
    private static final String ALLOW_MOCKS =
            "general_settings: {dangerously_allow_mock_testing_request_params: true}\n";

    @Override
    String models() {
        return MODELS;
    }

    @Test
    void shouldFollowTheFallbackGroupsOwnFallbacksWhenItFailsToo() {
        start("router_settings: {num_retries: 0, fallbacks: [{solo: [pair]}, {pair: [big]}]}\n");
        first.failEvery(MockFault.status(500));

        HttpResponse<String> response = proxy.chat("solo");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-litellm-model-group")).hasValue("big");
        assertThat(response.headers().firstValue("x-litellm-attempted-fallbacks")).hasValue("2");
        assertThat(attempts(proxy.awaitCalls(1))).containsExactly(tuple("s", 500), tuple("a", 500),
                tuple("big", 200));
    }

    @Test
    void shouldNeverEnterAGroupTwiceWhenTheFallbacksFormACycle() {
        start("router_settings: {num_retries: 0, fallbacks: [{solo: [pair]}, {pair: [solo, big]}, {big: [pair]}]}\n");
        first.failEvery(MockFault.status(500));
        second.failEvery(MockFault.status(503));

        HttpResponse<String> response = proxy.chat("solo");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("x-litellm-attempted-fallbacks")).hasValue("2");
        assertThat(attempts(proxy.awaitCalls(1))).containsExactly(tuple("s", 500), tuple("a", 500),
                tuple("big", 503));
    }

    @Test
    void shouldStopNestingAtMaxFallbacks() {
        start("router_settings: {num_retries: 0, max_fallbacks: 1, fallbacks: [{solo: [pair]}, {pair: [big]}]}\n");
        first.failEvery(MockFault.status(500));

        HttpResponse<String> response = proxy.chat("solo");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(attempts(proxy.awaitCalls(1))).containsExactly(tuple("s", 500), tuple("a", 500));
        assertThat(second.requestsReceived()).isZero();
    }

    @Test
    void shouldFallBackWhenASuccessIsBlockedByAContentFilterAndAContentPolicyFallbackExists() {
        start("litellm_settings: {content_policy_fallbacks: [{solo: [big]}]}\n");
        first.enqueueFaults(MockFault.contentFiltered());

        HttpResponse<String> response = proxy.chat("solo");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-litellm-model-group")).hasValue("big");
        assertThat(response.body()).contains("\"finish_reason\":\"stop\"");
        assertThat(attempts(proxy.awaitCalls(1))).containsExactly(tuple("s", 200), tuple("big", 200));
    }

    @Test
    void shouldRelayAContentFilteredSuccessWhenNoContentPolicyOrDefaultFallbackExists() {
        start("router_settings: {fallbacks: [{solo: [big]}]}\n");
        first.enqueueFaults(MockFault.contentFiltered());

        HttpResponse<String> response = proxy.chat("solo");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"finish_reason\":\"content_filter\"");
        assertThat(second.requestsReceived()).isZero();
    }

    @Test
    void shouldRelayAContentFilteredSuccessWhenTheFallbackCannotTakeTheCall() {
        start("router_settings: {default_fallbacks: [nothing-here]}\n");
        first.enqueueFaults(MockFault.contentFiltered());

        HttpResponse<String> response = proxy.chat("solo");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"finish_reason\":\"content_filter\"");
        assertThat(attempts(proxy.awaitCalls(1))).containsExactly(tuple("s", 200));
    }

    @Test
    void shouldRefuseMockTestingParametersWith400UnlessTheOperatorAllowsThem() {
        start("router_settings: {fallbacks: [{solo: [big]}]}\n");

        HttpResponse<String> response = proxy.post("/v1/chat/completions", body("\"mock_testing_fallbacks\":true"));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("Mock testing request params are disabled on this proxy: "
                + "mock_testing_fallbacks", "dangerously_allow_mock_testing_request_params");
        assertThat(first.requestsReceived() + second.requestsReceived()).isZero();
    }

    @Test
    void shouldFallBackWithoutCallingTheGroupOnMockTestingFallbacksAndNeverForwardTheParameter() {
        start("router_settings: {fallbacks: [{solo: [big]}]}\n" + ALLOW_MOCKS);

        HttpResponse<String> response = proxy.post("/v1/chat/completions", body("\"mock_testing_fallbacks\":true"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-litellm-model-group")).hasValue("big");
        assertThat(response.headers().firstValue("x-litellm-attempted-fallbacks")).hasValue("1");
        assertThat(response.headers().firstValue("x-litellm-fallback-errors")).isEmpty();
        assertThat(first.requestsReceived()).isZero();
        assertThat(second.requests()).singleElement()
                .satisfies(request -> assertThat(request.body()).doesNotContain("mock_testing"));
    }

    @Test
    void shouldUseTheContextWindowFallbacksOnMockTestingContextFallbacks() {
        start("router_settings: {fallbacks: [{solo: [pair]}], context_window_fallbacks: [{solo: [big]}]}\n"
                + ALLOW_MOCKS);

        HttpResponse<String> response =
                proxy.post("/v1/chat/completions", body("\"mock_testing_context_fallbacks\":true"));

        assertThat(response.headers().firstValue("x-litellm-model-group")).hasValue("big");
    }

    @Test
    void shouldAnswerTheMockedErrorNamingWhatWasTriedWhenNoFallbackExists() {
        start(ALLOW_MOCKS);

        HttpResponse<String> response =
                proxy.post("/v1/chat/completions", body("\"mock_testing_content_policy_fallbacks\":true"));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("This is a mock exception for model=solo",
                "Received Model Group=solo");
        assertThat(proxy.awaitCalls(1).error()).isEqualTo(ProxyError.MOCK_CONTENT_POLICY_VIOLATION);
        assertThat(first.requestsReceived()).isZero();
    }

    @Test
    void shouldRetryOnMockTestingRateLimitErrorAndEchoTheRetriesAllowed() {
        start("router_settings: {num_retries: 4}\n" + ALLOW_MOCKS);

        HttpResponse<String> response =
                proxy.post("/v1/chat/completions", body("\"mock_testing_rate_limit_error\":true"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-litellm-attempted-retries")).hasValue("1");
        assertThat(response.headers().firstValue("x-litellm-max-retries")).hasValue("4");
        assertThat(first.requestsReceived()).isEqualTo(1);
    }

    @Test
    void shouldSendMaxRetriesOnlyWhenARetryHappenedAndEchoTheRequestsTimeout() {
        start("");

        HttpResponse<String> plain = proxy.chat("solo");
        HttpResponse<String> timed = proxy.chat("solo", "x-litellm-timeout", "2.50");

        assertThat(plain.headers().firstValue("x-litellm-max-retries")).isEmpty();
        assertThat(plain.headers().firstValue("x-litellm-timeout")).isEmpty();
        assertThat(timed.headers().firstValue("x-litellm-timeout")).hasValue("2.5");
    }

    @Test
    void shouldListTheFailuresThatLedToFallbacksWhenAskedAndAllowed() {
        start("router_settings: {num_retries: 0, fallbacks: [{solo: [big]}]}\n"
                + "general_settings: {expose_fallback_errors_to_caller: true}\n");
        first.enqueueFaults(MockFault.status(503));

        HttpResponse<String> response = proxy.post("/v1/chat/completions", body("\"include_fallback_errors\":true"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-litellm-fallback-errors")).hasValue("[{\"message\":\"litellm."
                + "ServiceUnavailableError: deployment s of model group solo failed with 503\",\"type\":"
                + "\"ServiceUnavailableError\",\"param\":null,\"code\":\"503\"}]");
        assertThat(second.requests()).singleElement()
                .satisfies(request -> assertThat(request.body()).doesNotContain("include_fallback_errors"));
    }

    @Test
    void shouldNotListTheFailuresWhenTheOperatorDoesNotAllowIt() {
        start("router_settings: {num_retries: 0, fallbacks: [{solo: [big]}]}\n");
        first.enqueueFaults(MockFault.status(503));

        HttpResponse<String> response = proxy.post("/v1/chat/completions", body("\"include_fallback_errors\":true"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-litellm-fallback-errors")).isEmpty();
    }

    private static String body(String extra) {
        return "{\"model\":\"solo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]," + extra + "}";
    }


}
