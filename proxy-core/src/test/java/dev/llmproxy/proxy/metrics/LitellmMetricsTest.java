package dev.llmproxy.proxy.metrics;

import static dev.llmproxy.proxy.metrics.MetricsTestSupport.CONFIG;
import static dev.llmproxy.proxy.metrics.MetricsTestSupport.MS;
import static dev.llmproxy.proxy.metrics.MetricsTestSupport.chat;
import static dev.llmproxy.proxy.metrics.MetricsTestSupport.refused;
import static dev.llmproxy.proxy.metrics.MetricsTestSupport.routes;
import static dev.llmproxy.proxy.metrics.MetricsTestSupport.scrape;
import static dev.llmproxy.proxy.metrics.MetricsTestSupport.scrapeText;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.auth.FixedKeyGrant;
import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.call.AttemptRecord;
import dev.llmproxy.proxy.call.CallListener;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.config.ReliabilitySettings;
import dev.llmproxy.proxy.metrics.Exposition.Family;
import dev.llmproxy.proxy.metrics.LiteLlmCatalog.Spec;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.route.Cooldowns;
import dev.llmproxy.proxy.route.RouteTable;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LitellmMetricsTest {
    private static final Map<String, String> MASTER = Map.of("hashed_api_key", "litellm_proxy_master_key",
            "user", "default_user_id", "api_key_alias", "None", "team", "None", "end_user", "None");

    @TempDir
    Path dir;

    private LitellmMetrics metrics;
    private CallListener listener;

    @BeforeEach
    void setUp() {
        metrics = new LitellmMetrics(routes(dir, CONFIG), MetricsSettings.DEFAULTS);
        listener = metrics.listener();
    }

    @Test
    void shouldExposeLiteLlmFamiliesWithTheirTypesLabelsAndBucketsWhenRequestsWereCounted() {
        listener.onCallEnded(chat("dep-a", 200, null, true, Usage.of(10, 5)));
        listener.onCallEnded(chat("dep-b", 500, null, false, null));

        Exposition exposition = scrape(metrics);

        for (Map.Entry<String, Spec> expected : LiteLlmCatalog.REQUEST_FAMILIES.entrySet()) {
            Family family = exposition.family(expected.getKey());
            assertThat(family.type()).as(expected.getKey()).isEqualTo(expected.getValue().type());
            assertThat(family.samples()).as(expected.getKey()).isNotEmpty();
            assertThat(family.labelNames()).as(expected.getKey()).isEqualTo(expected.getValue().sortedLabels());
        }
        for (String latency : List.of("litellm_request_total_latency_metric", "litellm_llm_api_latency_metric",
                "litellm_llm_api_time_to_first_token_metric", "litellm_overhead_latency_metric")) {
            assertThat(exposition.family(latency).bucketBounds()).as(latency)
                    .isEqualTo(LiteLlmCatalog.LATENCY_BUCKETS);
        }
        assertThat(exposition.family("litellm_deployment_latency_per_output_token").bucketBounds())
                .isEqualTo(LiteLlmCatalog.PYTHON_DEFAULT_BUCKETS);
        for (String gauge : List.of("litellm_deployment_rpm_limit", "litellm_deployment_tpm_limit",
                "litellm_deployment_state")) {
            assertThat(exposition.family(gauge).type()).isEqualTo(LiteLlmCatalog.LIMIT_GAUGE.type());
            assertThat(exposition.family(gauge).labelNames()).isEqualTo(LiteLlmCatalog.LIMIT_GAUGE.sortedLabels());
        }
        Set<String> known = new HashSet<>(LiteLlmCatalog.REQUEST_FAMILIES.keySet());
        known.addAll(List.of("litellm_deployment_rpm_limit", "litellm_deployment_tpm_limit",
                "litellm_deployment_state", "litellm_callback_logging_failures_metric", "litellm_spend_metric"));
        assertThat(exposition.families().keySet()).containsExactlyInAnyOrderElementsOf(known);
    }

    @Test
    void shouldExposeCountersWithTotalSuffixAndHistogramsWithBucketSumCount() {
        listener.onCallEnded(chat("dep-a", 200, null, false, Usage.of(10, 5)));

        String text = scrapeText(metrics, ExpositionFormat.PROMETHEUS_TEXT);

        assertThat(text).contains("\nlitellm_proxy_total_requests_metric_total{")
                .contains("\nlitellm_total_tokens_metric_total{")
                .contains("\nlitellm_total_tokens_total{")
                .contains("\nlitellm_deployment_success_responses_total{")
                .contains("\nlitellm_request_total_latency_metric_bucket{")
                .contains("le=\"0.005\"").contains("le=\"1.0\"").contains("le=\"+Inf\"")
                .contains("\nlitellm_request_total_latency_metric_sum{")
                .contains("\nlitellm_request_total_latency_metric_count{");
    }

    @Test
    void shouldUseLegacyBucketsWhenConfigured() {
        LitellmMetrics legacy = new LitellmMetrics(routes(dir, CONFIG),
                new MetricsSettings(false, MetricsSettings.LEGACY_LATENCY_BUCKETS));
        legacy.listener().onCallEnded(chat("dep-a", 200, null, false, null));

        assertThat(scrape(legacy).family("litellm_llm_api_latency_metric").bucketBounds())
                .isEqualTo(LiteLlmCatalog.LEGACY_LATENCY_BUCKETS);
    }

    @Test
    void shouldRejectBucketsWhenNotIncreasing() {
        assertThatThrownBy(() -> new MetricsSettings(false, List.of(1.0, 0.5)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MetricsSettings(false, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MetricsSettings(false, List.of(0.0, 1.0)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldCountLatenciesAndTokensWhenStreamSucceeds() {
        listener.onCallEnded(chat("dep-a", 200, null, true, new Usage(10, 5, 15)));

        Exposition e = scrape(metrics);

        Map<String, String> request = with(MASTER, "requested_model", "gpt-a", "model_id", "dep-a",
                "api_provider", "openai");
        assertThat(e.sum("litellm_proxy_total_requests_metric_total",
                with(request, "status_code", "200", "route", "/chat/completions", "client_ip", "None",
                        "user_agent", "None", "user_email", "None"))).isEqualTo(1);
        assertThat(e.samples("litellm_proxy_failed_requests_metric")).isEmpty();
        Map<String, String> latency = with(request, "model", "gpt-4o-mini", "service_tier", "None");
        assertThat(e.sum("litellm_request_total_latency_metric_sum", latency)).isCloseTo(0.400, within(1e-9));
        assertThat(e.sum("litellm_llm_api_latency_metric_sum", latency)).isCloseTo(0.398, within(1e-9));
        assertThat(e.sum("litellm_llm_api_time_to_first_token_metric_sum", latency)).isCloseTo(0.148, within(1e-9));
        assertThat(e.sum("litellm_llm_api_time_to_first_token_metric_count", latency)).isEqualTo(1);
        assertThat(e.sum("litellm_overhead_latency_metric_sum", Map.of("model_group", "gpt-a",
                "api_base", "http://127.0.0.1:9/v1", "litellm_model_name", "openai/gpt-4o-mini", "model_id", "dep-a")))
                .isCloseTo(0.003, within(1e-9));
        assertThat(e.sum("litellm_deployment_latency_per_output_token_sum", Map.of("model_id", "dep-a")))
                .isCloseTo(0.148 / 5, within(1e-9));
        Map<String, String> tokens = with(request, "model", "gpt-4o-mini");
        assertThat(e.sum("litellm_input_tokens_metric_total", tokens)).isEqualTo(10);
        assertThat(e.sum("litellm_output_tokens_metric_total", tokens)).isEqualTo(5);
        assertThat(e.sum("litellm_total_tokens_metric_total", tokens)).isEqualTo(15);
        assertThat(e.sum("litellm_total_tokens_total", tokens)).isEqualTo(15);
        assertThat(e.sum("litellm_requests_metric_total", tokens)).isEqualTo(1);
        Map<String, String> deployment = Map.of("model_id", "dep-a", "requested_model", "gpt-a",
                "api_base", "http://127.0.0.1:9/v1", "litellm_model_name", "openai/gpt-4o-mini");
        assertThat(e.sum("litellm_deployment_success_responses_total", deployment)).isEqualTo(1);
        assertThat(e.sum("litellm_deployment_total_requests_total", deployment)).isEqualTo(1);
        assertThat(e.samples("litellm_deployment_failure_responses")).isEmpty();
    }

    @Test
    void shouldNotObserveTimeToFirstTokenWhenNotStreamed() {
        listener.onCallEnded(chat("dep-a", 200, null, false, Usage.of(10, 5)));

        Exposition e = scrape(metrics);

        assertThat(e.sum("litellm_llm_api_time_to_first_token_metric_count", Map.of())).isZero();
        assertThat(e.sum("litellm_llm_api_latency_metric_count", Map.of())).isEqualTo(1);
        assertThat(e.sum("litellm_deployment_latency_per_output_token_sum", Map.of()))
                .isCloseTo(0.398 / 5, within(1e-9));
    }

    @Test
    void shouldLeaveNoEmptyHistogramWhenASuccessHasNoOutputTokensOrNoProviderRequest() {
        AttemptRecord answeredWithoutHead = new AttemptRecord("dep-a", 200, null, 1002 * MS, 0, 1400 * MS);
        listener.onCallEnded(new CallRecord("c", Endpoint.EMBEDDINGS, "gpt-a", "gpt-a", "dep-a", Principal.MASTER, 200,
                null, false, Usage.of(10, 0), 1000 * MS, 0, 1400 * MS, 0, List.of(answeredWithoutHead)));

        Exposition e = scrape(metrics);

        assertThat(e.sum("litellm_request_total_latency_metric_count", Map.of("model_id", "dep-a"))).isEqualTo(1);
        assertThat(e.sum("litellm_input_tokens_metric_total", Map.of("model_id", "dep-a"))).isEqualTo(10);
        assertThat(e.samples("litellm_deployment_latency_per_output_token")).isEmpty();
        assertThat(e.samples("litellm_overhead_latency_metric")).isEmpty();

        listener.onCallEnded(chat("dep-a", 200, null, false, Usage.of(10, 4)));
        Exposition after = scrape(metrics);
        assertThat(after.sum("litellm_deployment_latency_per_output_token_count", Map.of())).isEqualTo(1);
        assertThat(after.sum("litellm_overhead_latency_metric_count", Map.of())).isEqualTo(1);
    }

    @Test
    void shouldCountProviderErrorAsFailureWithProviderExceptionClass() {
        listener.onCallEnded(chat("dep-a", 429, null, false, null));

        Exposition e = scrape(metrics);

        Map<String, String> failure = Map.of("exception_status", "429", "exception_class", "Openai.RateLimitError",
                "requested_model", "gpt-a", "model_id", "dep-a", "api_provider", "openai",
                "route", "/chat/completions", "hashed_api_key", "litellm_proxy_master_key");
        assertThat(e.sum("litellm_proxy_failed_requests_metric_total", failure)).isEqualTo(1);
        assertThat(e.sum("litellm_proxy_total_requests_metric_total", Map.of("status_code", "429"))).isEqualTo(1);
        assertThat(e.sum("litellm_deployment_failure_responses_total", Map.of("model_id", "dep-a",
                "exception_status", "429", "exception_class", "Openai.RateLimitError"))).isEqualTo(1);
        assertThat(e.sum("litellm_deployment_total_requests_total", Map.of("model_id", "dep-a"))).isEqualTo(1);
        assertThat(e.sum("litellm_llm_api_failed_requests_metric_total", Map.of("model_id", "dep-a",
                "model", "gpt-4o-mini"))).isEqualTo(1);
        assertThat(e.samples("litellm_request_total_latency_metric")).isEmpty();
        assertThat(e.samples("litellm_total_tokens_metric")).isEmpty();
    }

    @Test
    void shouldCountEachAttemptAgainstItsDeploymentWhenRequestWasRetried() {
        List<AttemptRecord> attempts = List.of(
                new AttemptRecord("dep-a", 502, ProxyError.UPSTREAM_CONNECT_FAILED, 1001 * MS, 0, 1002 * MS),
                new AttemptRecord("dep-b", 200, null, 1002 * MS, 1100 * MS, 1400 * MS));
        listener.onCallEnded(new CallRecord("c", Endpoint.CHAT_COMPLETIONS, "gpt-a", "gpt-a", "dep-b",
                Principal.MASTER, 200, null, false, Usage.of(1, 1), 1000 * MS, 0, 1400 * MS, 90 * MS, attempts));

        Exposition e = scrape(metrics);

        assertThat(e.sum("litellm_deployment_failure_responses_total", Map.of("model_id", "dep-a",
                "exception_status", "502", "exception_class", "Openai.APIConnectionError"))).isEqualTo(1);
        assertThat(e.sum("litellm_deployment_success_responses_total", Map.of("model_id", "dep-b"))).isEqualTo(1);
        assertThat(e.sum("litellm_deployment_total_requests_total", Map.of())).isEqualTo(2);
        assertThat(e.sum("litellm_proxy_total_requests_metric_total", Map.of("model_id", "dep-b",
                "status_code", "200"))).isEqualTo(1);
        assertThat(e.sum("litellm_proxy_failed_requests_metric_total", Map.of())).isZero();
    }

    @Test
    void shouldCountRefusalAsProxyExceptionWithNoneLabelsWhenRefusedBeforeRouting() {
        listener.onCallEnded(refused(null, null, ProxyError.MISSING_KEY));
        listener.onCallEnded(refused("gpt-a", Principal.MASTER, ProxyError.INVALID_JSON));

        Exposition e = scrape(metrics);

        assertThat(e.sum("litellm_proxy_failed_requests_metric_total", Map.of("exception_status", "401",
                "exception_class", "ProxyException", "hashed_api_key", "None", "user", "None",
                "requested_model", "None", "model_id", "None", "api_provider", "None"))).isEqualTo(1);
        assertThat(e.sum("litellm_proxy_failed_requests_metric_total", Map.of("exception_status", "400",
                "requested_model", "gpt-a", "hashed_api_key", "litellm_proxy_master_key"))).isEqualTo(1);
        assertThat(e.sum("litellm_proxy_total_requests_metric_total", Map.of())).isEqualTo(2);
        assertThat(e.samples("litellm_deployment_total_requests")).isEmpty();
    }

    @Test
    void shouldCountNoDeploymentAvailableAsRouterRateLimitError() {
        listener.onCallEnded(new CallRecord("c", Endpoint.CHAT_COMPLETIONS, "gpt-a", "gpt-a", null,
                Principal.MASTER, 429, ProxyError.NO_DEPLOYMENT_AVAILABLE, false, null, 0, 0, MS, 0, List.of()));

        assertThat(scrape(metrics).sum("litellm_proxy_failed_requests_metric_total", Map.of(
                "exception_class", "RouterRateLimitError", "exception_status", "429"))).isEqualTo(1);
    }

    @Test
    void shouldCollapseModelNamesToOtherWhenTheyDidNotRoute() {
        listener.onCallEnded(refused("no-such-model-1", Principal.MASTER, ProxyError.UNKNOWN_MODEL));
        listener.onCallEnded(refused("no-such-model-2", Principal.MASTER, ProxyError.UNKNOWN_MODEL));

        Exposition e = scrape(metrics);

        assertThat(e.sum("litellm_proxy_failed_requests_metric_total", Map.of("requested_model", "other")))
                .isEqualTo(2);
        assertThat(e.family("litellm_proxy_failed_requests_metric").samples()).hasSize(1);
    }

    @Test
    void shouldBoundWildcardModelNamesWhenClientsInventThem() {
        int names = ModelLabels.MAX_WILDCARD_NAMES + 20;
        for (int i = 0; i < names; i++) {
            String model = "openrouter/m" + i;
            listener.onCallEnded(new CallRecord("c", Endpoint.CHAT_COMPLETIONS, model, model, "dep-w",
                    Principal.MASTER, 404, null, false, null, 0, 0, MS, 0,
                    List.of(new AttemptRecord("dep-w", 404, null, 0, 1, MS))));
        }

        Exposition e = scrape(metrics);

        assertThat(e.sum("litellm_proxy_failed_requests_metric_total", Map.of("requested_model", "openrouter/m0")))
                .isEqualTo(1);
        assertThat(e.sum("litellm_proxy_failed_requests_metric_total", Map.of("requested_model", "other")))
                .isEqualTo(20);
        assertThat(e.family("litellm_proxy_failed_requests_metric").samples())
                .hasSize(ModelLabels.MAX_WILDCARD_NAMES + 1);
        assertThat(e.sum("litellm_deployment_failure_responses_total", Map.of("exception_class",
                "Openrouter.NotFoundError", "api_provider", "openrouter"))).isEqualTo(names);
    }

    @Test
    void shouldCountClientGoneInTotalsOnlyWhenClientClosed() {
        CallRecord gone = new CallRecord("c", Endpoint.CHAT_COMPLETIONS, "gpt-a", "gpt-a", "dep-a",
                Principal.MASTER, 499, ProxyError.CLIENT_CLOSED, true, null, 0, 0, MS, 0,
                List.of(new AttemptRecord("dep-a", 499, ProxyError.CLIENT_CLOSED, 0, 0, MS)));

        listener.onCallEnded(gone);
        Exposition e = scrape(metrics);

        assertThat(e.sum("litellm_proxy_total_requests_metric_total", Map.of("status_code", "499"))).isEqualTo(1);
        assertThat(e.samples("litellm_proxy_failed_requests_metric")).isEmpty();
        assertThat(e.samples("litellm_deployment_total_requests")).isEmpty();
    }

    @Test
    void shouldIgnoreRecordsWhenPathIsNotAModelApi() {
        listener.onCallEnded(new CallRecord("c", null, null, null, null, Principal.MASTER, 200, null, false, null,
                0, 0, MS, 0, List.of()));
        listener.onCallEnded(new CallRecord("c", null, null, null, null, null, 404, ProxyError.NOT_FOUND, false,
                null, 0, 0, MS, 0, List.of()));

        assertThat(scrape(metrics).samples("litellm_proxy_total_requests_metric")).isEmpty();
    }

    @Test
    void shouldRegisterLimitGaugesOnlyWhenADeploymentHasALimit() {
        Exposition limited = scrape(metrics);
        assertThat(limited.sum("litellm_deployment_rpm_limit", Map.of("model_id", "dep-a",
                "api_provider", "openai", "litellm_model_name", "openai/gpt-4o-mini"))).isEqualTo(18);
        assertThat(limited.sum("litellm_deployment_tpm_limit", Map.of("model_id", "dep-b"))).isEqualTo(1000);
        assertThat(limited.family("litellm_deployment_rpm_limit").samples()).hasSize(1);

        LitellmMetrics unlimited = new LitellmMetrics(routes(dir, """
                model_list:
                  - model_name: m
                    litellm_params: {model: openai/x, api_base: "http://127.0.0.1:9/v1", api_key: sk-1}
                """), MetricsSettings.DEFAULTS);
        assertThat(scrape(unlimited).families()).doesNotContainKeys("litellm_deployment_rpm_limit",
                "litellm_deployment_tpm_limit");
    }

    @Test
    void shouldMarkDeploymentPartialOutageWhenItsCallFailsAndHealthyWhenItSucceedsAgain() {
        Map<String, String> depB = Map.of("model_id", "dep-b", "litellm_model_name", "openai/gpt-4o-mini",
                "api_base", "http://127.0.0.1:10/v1", "api_provider", "openai");
        listener.onCallEnded(chat("dep-a", 200, null, false, null));
        listener.onCallEnded(chat("dep-b", 503, null, false, null));

        Exposition failed = scrape(metrics);
        assertThat(failed.sum("litellm_deployment_state", Map.of("model_id", "dep-a"))).isZero();
        assertThat(failed.sum("litellm_deployment_state", depB)).isEqualTo(1);

        listener.onCallEnded(chat("dep-b", 200, null, false, null));
        assertThat(scrape(metrics).sum("litellm_deployment_state", depB)).isZero();
    }

    @Test
    void shouldMarkDeploymentCompleteOutageAndCountTheCooldownWhenTheRouterCoolsIt() {
        RouteTable routes = routes(dir, CONFIG);
        LitellmMetrics cooled = new LitellmMetrics(routes, MetricsSettings.DEFAULTS);
        Cooldowns cooldowns = new Cooldowns(routes.deployments(), ReliabilitySettings.DEFAULTS,
                cooled.cooldownListener());
        Map<String, String> depB = Map.of("model_id", "dep-b");

        cooldowns.coolDown(routes.deploymentFor("dep-b"), 0, TimeUnit.SECONDS.toNanos(5));
        cooled.cooldownListener().onCooledDown(routes.deploymentFor("dep-b"), 429);

        Exposition exposition = scrape(cooled);
        assertThat(exposition.sum("litellm_deployment_state", depB)).isEqualTo(2);
        assertThat(exposition.family("litellm_deployment_cooled_down").labelNames()).containsExactlyInAnyOrder(
                "litellm_model_name", "model_id", "api_base", "api_provider", "exception_status");
        assertThat(exposition.sum("litellm_deployment_cooled_down_total",
                Map.of("model_id", "dep-b", "exception_status", "None"))).isEqualTo(1);
        assertThat(exposition.sum("litellm_deployment_cooled_down_total",
                Map.of("model_id", "dep-b", "exception_status", "429"))).isEqualTo(1);

        cooled.listener().onCallEnded(chat("dep-b", 200, null, false, null));
        assertThat(scrape(cooled).sum("litellm_deployment_state", depB)).isZero();
    }

    @Test
    void shouldLabelAVirtualKeysRequestsWithItsHashAliasTeamAndUserWhenItCalls() {
        FixedKeyGrant key = new FixedKeyGrant("5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8",
                "ci-bot", "user-9", "team-ml", 0);
        AttemptRecord attempt = new AttemptRecord("dep-a", 200, null, 1002 * MS, 1100 * MS, 1400 * MS);
        listener.onCallEnded(new CallRecord("call-k", Endpoint.CHAT_COMPLETIONS, "gpt-a", "gpt-a", "dep-a",
                Principal.of(key), 200, null, false, Usage.of(3, 4), 1000 * MS, 1150 * MS, 1400 * MS, 97 * MS,
                List.of(attempt)));
        FixedKeyGrant renamed = new FixedKeyGrant(key.tokenHash(), "ci-bot-2", "user-9", null, 0);
        listener.onCallEnded(new CallRecord("call-r", Endpoint.CHAT_COMPLETIONS, "gpt-a", "gpt-a", "dep-a",
                Principal.of(renamed), 200, null, false, null, 1000 * MS, 1150 * MS, 1400 * MS, 97 * MS,
                List.of(attempt)));

        Exposition exposition = scrape(metrics);
        assertThat(exposition.sum("litellm_proxy_total_requests_metric_total", Map.of("hashed_api_key",
                key.tokenHash(), "api_key_alias", "ci-bot", "team", "team-ml", "user", "user-9", "team_alias",
                "None"))).isEqualTo(1);
        assertThat(exposition.sum("litellm_total_tokens_metric_total", Map.of("api_key_alias", "ci-bot")))
                .isEqualTo(7);
        assertThat(exposition.sum("litellm_proxy_total_requests_metric_total", Map.of("hashed_api_key",
                key.tokenHash(), "api_key_alias", "ci-bot-2", "team", "None"))).isEqualTo(1);
    }

    @Test
    void shouldLeaveDeploymentStateAloneWhenTheClientWentAway() {
        listener.onCallEnded(chat("dep-a", 499, ProxyError.CLIENT_CLOSED, false, null));

        assertThat(scrape(metrics).samples("litellm_deployment_state")).isEmpty();
    }

    @Test
    void shouldCountLostTraceRecordsPerCallbackWhenAnIntegrationReportsThem() {
        metrics.countCallbackFailures("otel", 3);
        metrics.countCallbackFailures("mlflow", 1);
        metrics.countCallbackFailures("otel", 2);

        Exposition e = scrape(metrics);
        assertThat(e.sum("litellm_callback_logging_failures_metric_total", Map.of("callback_name", "otel")))
                .isEqualTo(5);
        assertThat(e.sum("litellm_callback_logging_failures_metric_total", Map.of("callback_name", "mlflow")))
                .isEqualTo(1);
    }

    @Test
    void shouldNeverThrowWhenRecordIsOdd() {
        List<CallRecord> odd = List.of(
                new CallRecord("c", Endpoint.EMBEDDINGS, "gpt-a", "gpt-a", "no-such-deployment", Principal.ANONYMOUS,
                        0, null, true, new Usage(-1, -2, -3), 5 * MS, 1, MS, -7, List.of(
                                new AttemptRecord("no-such-deployment", 200, null, 9 * MS, 1, 0))),
                new CallRecord("c", Endpoint.COMPLETIONS, "", null, null, null, 1200, null, false, null,
                        Long.MAX_VALUE, Long.MIN_VALUE, 0, 0, List.of()));

        for (CallRecord record : odd) {
            assertThatCode(() -> listener.onCallEnded(record)).doesNotThrowAnyException();
        }
        Exposition e = scrape(metrics);
        assertThat(e.sum("litellm_proxy_total_requests_metric_total", Map.of())).isEqualTo(2);
        assertThat(e.sum("litellm_callback_logging_failures_metric_total", Map.of())).isZero();
    }

    @Test
    void shouldCountFailureInsteadOfThrowingWhenRecordingFails() {
        List<AttemptRecord> broken = Arrays.asList(new AttemptRecord[] {null});
        CallRecord record = new CallRecord("c", Endpoint.CHAT_COMPLETIONS, "gpt-a", "gpt-a", "dep-a",
                Principal.MASTER, 200, null, false, null, 0, 0, MS, 0, broken);

        assertThatCode(() -> listener.onCallEnded(record)).doesNotThrowAnyException();
        assertThatCode(() -> listener.onCallEnded(record)).doesNotThrowAnyException();

        assertThat(scrape(metrics).sum("litellm_callback_logging_failures_metric_total",
                Map.of("callback_name", "prometheus"))).isEqualTo(2);
    }

    @Test
    void shouldWriteOpenMetricsWhenAsked() {
        listener.onCallEnded(chat("dep-a", 200, null, false, Usage.of(1, 1)));

        String text = scrapeText(metrics, ExpositionFormat.OPENMETRICS);

        assertThat(text).endsWith("# EOF\n").contains("# TYPE litellm_proxy_total_requests_metric counter\n");
        assertThat(Exposition.parse(text).sum("litellm_proxy_total_requests_metric_total", Map.of())).isEqualTo(1);
    }

    @Test
    void shouldScrapeOffTheCallingThreadWhenAskedAsynchronously() throws Exception {
        listener.onCallEnded(chat("dep-a", 200, null, false, Usage.of(1, 1)));
        Set<String> allocatingThreads = ConcurrentHashMap.newKeySet();
        ByteBufAllocator recording = new AbstractByteBufAllocator(false) {
            @Override
            protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
                allocatingThreads.add(Thread.currentThread().getName());
                return Unpooled.buffer(initialCapacity, maxCapacity);
            }

            @Override
            protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
                allocatingThreads.add(Thread.currentThread().getName());
                return Unpooled.directBuffer(initialCapacity, maxCapacity);
            }

            @Override
            public boolean isDirectBufferPooled() {
                return false;
            }
        };

        ByteBuf body = metrics.scrapeAsync(recording, ExpositionFormat.PROMETHEUS_TEXT, false).get(5, TimeUnit.SECONDS);
        try {
            assertThat(Exposition.parse(body.toString(StandardCharsets.UTF_8))
                    .sum("litellm_proxy_total_requests_metric_total", Map.of())).isEqualTo(1);
        } finally {
            body.release();
        }
        assertThat(allocatingThreads).singleElement().asString().startsWith("llmproxy-metrics-scrape");
    }

    @Test
    void shouldDropExcludedMetricsAndLabelsWhenConfigured() {
        MetricFilter filter = new MetricFilter(null, Set.of("litellm_requests_metric", "litellm_total_tokens"),
                Set.of("hashed_api_key", "user", "le"));
        LitellmMetrics filtered = new LitellmMetrics(routes(dir, CONFIG),
                new MetricsSettings(false, MetricsSettings.LATENCY_BUCKETS, filter));
        filtered.listener().onCallEnded(chat("dep-a", 200, null, false, Usage.of(1, 1)));

        Exposition e = scrape(filtered);

        assertThat(e.families()).doesNotContainKeys("litellm_requests_metric", "litellm_total_tokens")
                .containsKey("litellm_total_tokens_metric");
        assertThat(e.family("litellm_proxy_total_requests_metric").labelNames())
                .doesNotContain("hashed_api_key", "user").contains("requested_model", "status_code");
        assertThat(e.family("litellm_llm_api_latency_metric").bucketBounds())
                .isEqualTo(LiteLlmCatalog.LATENCY_BUCKETS);
    }

    @Test
    void shouldExposeOnlyIncludedMetricsWithIncludedLabelsWhenIncludeListIsSet() {
        Map<String, List<String>> include = new java.util.HashMap<>();
        include.put("litellm_proxy_total_requests_metric", List.of("requested_model", "status_code", "model_id"));
        include.put("litellm_llm_api_latency_metric", null);
        MetricFilter filter = new MetricFilter(include, Set.of(), Set.of("model_id"));
        LitellmMetrics filtered = new LitellmMetrics(routes(dir, CONFIG),
                new MetricsSettings(false, MetricsSettings.LATENCY_BUCKETS, filter));
        filtered.listener().onCallEnded(chat("dep-a", 200, null, false, Usage.of(1, 1)));
        filtered.listener().onCallEnded(chat("dep-b", 200, null, false, Usage.of(1, 1)));
        filtered.listener().onCallEnded(chat("dep-b", 429, null, false, null));

        Exposition e = scrape(filtered);

        assertThat(e.families().keySet()).containsExactlyInAnyOrder("litellm_proxy_total_requests_metric",
                "litellm_llm_api_latency_metric");
        assertThat(e.family("litellm_proxy_total_requests_metric").labelNames())
                .containsExactly("requested_model", "status_code");
        assertThat(e.family("litellm_proxy_total_requests_metric").samples()).hasSize(2);
        assertThat(e.sum("litellm_proxy_total_requests_metric_total", Map.of("status_code", "200"))).isEqualTo(2);
        assertThat(e.family("litellm_llm_api_latency_metric").labelNames())
                .isEqualTo(LiteLlmCatalog.REQUEST_FAMILIES.get("litellm_llm_api_latency_metric").sortedLabels()
                        .stream().filter(l -> !l.equals("model_id")).toList());
    }

    @Test
    void shouldCapitalizeProviderAsPythonWhenNamingExceptionClasses() {
        assertThat(DeploymentLabels.capitalize("openai")).isEqualTo("Openai");
        assertThat(DeploymentLabels.capitalize("lm_studio")).isEqualTo("Lm_studio");
        assertThat(DeploymentLabels.capitalize("xAI")).isEqualTo("Xai");
        assertThat(ExceptionClasses.openAiClass(503)).isEqualTo("ServiceUnavailableError");
        assertThat(ExceptionClasses.openAiClass(418)).isEqualTo("BadRequestError");
        assertThat(ExceptionClasses.openAiClass(599)).isEqualTo("APIError");
    }

    @Test
    void shouldWriteNoneApiBaseWhenDeploymentAnswersWithMockResponse() {
        LitellmMetrics mocked = new LitellmMetrics(routes(dir, """
                model_list:
                  - model_name: mock-gpt
                    litellm_params: {model: openai/gpt-4o, mock_response: "hello"}
                    model_info: {id: dep-m}
                """), MetricsSettings.DEFAULTS);
        AttemptRecord attempt = new AttemptRecord("dep-m", 200, null, MS, MS, 2 * MS);
        mocked.listener().onCallEnded(new CallRecord("c", Endpoint.CHAT_COMPLETIONS, "mock-gpt", "mock-gpt", "dep-m",
                Principal.ANONYMOUS, 200, null, false, Usage.of(1, 1), 0, 2 * MS, 2 * MS, 0, List.of(attempt)));

        assertThat(scrape(mocked).sum("litellm_deployment_success_responses_total", Map.of("model_id", "dep-m",
                "api_base", "None", "api_provider", "openai", "hashed_api_key", "None"))).isEqualTo(1);
    }

    @Test
    void shouldCompressScrapeWhenAskedForGzip() throws Exception {
        listener.onCallEnded(chat("dep-a", 200, null, false, Usage.of(1, 1)));
        String plain = scrapeText(metrics, ExpositionFormat.PROMETHEUS_TEXT);

        ByteBuf compressed = metrics.scrape(PooledByteBufAllocator.DEFAULT, ExpositionFormat.PROMETHEUS_TEXT, true);
        byte[] bytes;
        try {
            bytes = ByteBufUtil.getBytes(compressed);
        } finally {
            compressed.release();
        }
        String unzipped;
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            unzipped = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }

        assertThat(unzipped).isEqualTo(plain);
        assertThat(bytes.length).isLessThan(plain.length() / 4);
    }

    @Test
    void shouldAcceptGzipWhenScraperListsIt() {
        assertThat(LitellmMetrics.acceptsGzip("gzip")).isTrue();
        assertThat(LitellmMetrics.acceptsGzip("identity, GZIP;q=0.5")).isTrue();
        assertThat(LitellmMetrics.acceptsGzip(null)).isFalse();
        assertThat(LitellmMetrics.acceptsGzip("br, deflate")).isFalse();
        assertThat(LitellmMetrics.acceptsGzip("gzip;q=0")).isFalse();
        assertThat(LitellmMetrics.acceptsGzip("gzip; q=0.0")).isFalse();
        assertThat(LitellmMetrics.acceptsGzip("x-gzip")).isFalse();
    }

    @Test
    void shouldChooseFormatFromAcceptHeader() {
        assertThat(ExpositionFormat.forAccept(null)).isEqualTo(ExpositionFormat.PROMETHEUS_TEXT);
        assertThat(ExpositionFormat.forAccept("text/plain")).isEqualTo(ExpositionFormat.PROMETHEUS_TEXT);
        assertThat(ExpositionFormat.forAccept("application/openmetrics-text;version=1.0.0;q=0.5,*/*;q=0.1"))
                .isEqualTo(ExpositionFormat.OPENMETRICS);
        assertThat(ExpositionFormat.PROMETHEUS_TEXT.contentType().toString()).startsWith("text/plain; version=0.0.4");
        assertThat(ExpositionFormat.OPENMETRICS.contentType().toString()).startsWith("application/openmetrics-text");
    }

    private static Map<String, String> with(Map<String, String> base, String... pairs) {
        Map<String, String> labels = new java.util.HashMap<>(base);
        for (int i = 0; i < pairs.length; i += 2) {
            labels.put(pairs[i], pairs[i + 1]);
        }
        return labels;
    }
}
