package dev.llmproxy.proxy.metrics;

import static dev.llmproxy.proxy.metrics.MetricsTestSupport.CONFIG;
import static dev.llmproxy.proxy.metrics.MetricsTestSupport.MS;
import static dev.llmproxy.proxy.metrics.MetricsTestSupport.routes;
import static dev.llmproxy.proxy.metrics.MetricsTestSupport.scrape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.limiter.LocalLimitStore;
import dev.llmproxy.proxy.auth.BudgetState;
import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.call.AttemptRecord;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.config.RoutingStrategy;
import dev.llmproxy.proxy.config.RoutingStrategyArgs;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.route.Lease;
import dev.llmproxy.proxy.route.LimitingRouter;
import dev.llmproxy.proxy.route.ModelRoute;
import dev.llmproxy.proxy.route.RouteTable;
import dev.llmproxy.proxy.route.RoutingStats;
import dev.llmproxy.proxy.spend.CallCosts;
import dev.llmproxy.proxy.spend.ModelPrice;
import dev.llmproxy.proxy.spend.PriceTable;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code litellm_spend_metric}, the key, team and user budget gauges, and the deployments' remaining requests and
 * tokens, each read back from a scrape.
 */
class SpendAndBudgetMetricsTest {
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final PriceTable PRICES = PriceTable.of(Map.of("openai/gpt-4o-mini", new ModelPrice(1e-6, 4e-6)));

    @TempDir
    Path dir;

    private RouteTable routes;
    private LitellmMetrics metrics;

    @BeforeEach
    void setUp() {
        routes = routes(dir, CONFIG);
        metrics = new LitellmMetrics(routes, MetricsSettings.DEFAULTS, new CallCosts(routes, PRICES), CLOCK);
    }

    @Test
    void shouldCountSpendAtTheDeploymentsPriceWhenCallsSucceed() {
        metrics.listener().onCallEnded(call("dep-a", Principal.MASTER, 200, Usage.of(1000, 500)));
        metrics.listener().onCallEnded(call("dep-a", Principal.MASTER, 200, Usage.of(2000, 0)));
        metrics.listener().onCallEnded(call("dep-a", Principal.MASTER, 500, Usage.of(2000, 0)));

        Exposition e = scrape(metrics);

        assertThat(e.family("litellm_spend_metric").type()).isEqualTo("counter");
        assertThat(e.family("litellm_spend_metric").labelNames()).containsExactlyInAnyOrder("end_user",
                "hashed_api_key", "api_key_alias", "model", "team", "team_alias", "user", "user_email", "client_ip",
                "user_agent", "requested_model", "model_id", "api_provider", "service_tier");
        assertThat(e.sum("litellm_spend_metric_total", Map.of("model_id", "dep-a", "model", "gpt-4o-mini",
                "requested_model", "gpt-a", "hashed_api_key", "litellm_proxy_master_key")))
                .isCloseTo(0.001 + 0.002 + 0.002, within(1e-12));
    }

    @Test
    void shouldReportTheBudgetsOfKeyTeamAndUserWhenAVirtualKeyCalled() {
        BudgetedKeyGrant key = new BudgetedKeyGrant("abc123", "alias-1", "team-1", "user-1",
                new BudgetState(2.5, 10.0, NOW.plusSeconds(5400)),
                new BudgetState(40, 100.0, NOW.plusSeconds(3600 * 24)),
                new BudgetState(1, null, null));
        metrics.listener().onCallEnded(call("dep-a", Principal.of(key), 200, Usage.of(10, 5)));

        Exposition e = scrape(metrics);

        Map<String, String> keyLabels = Map.of("hashed_api_key", "abc123", "api_key_alias", "alias-1");
        assertThat(e.sum("litellm_remaining_api_key_budget_metric", keyLabels)).isEqualTo(7.5);
        assertThat(e.sum("litellm_api_key_max_budget_metric", keyLabels)).isEqualTo(10.0);
        assertThat(e.sum("litellm_api_key_budget_remaining_hours_metric", keyLabels)).isEqualTo(1.5);
        Map<String, String> teamLabels = Map.of("team", "team-1", "team_alias", "None");
        assertThat(e.sum("litellm_remaining_team_budget_metric", teamLabels)).isEqualTo(60.0);
        assertThat(e.sum("litellm_team_max_budget_metric", teamLabels)).isEqualTo(100.0);
        assertThat(e.sum("litellm_team_budget_remaining_hours_metric", teamLabels)).isEqualTo(24.0);
        assertThat(e.sum("litellm_remaining_user_budget_metric", Map.of("user", "user-1")))
                .isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(e.families()).doesNotContainKeys("litellm_user_max_budget_metric",
                "litellm_user_budget_remaining_hours_metric");
        for (String gauge : List.of("litellm_remaining_api_key_budget_metric", "litellm_remaining_team_budget_metric",
                "litellm_remaining_user_budget_metric")) {
            assertThat(e.family(gauge).type()).as(gauge).isEqualTo("gauge");
        }
    }

    @Test
    void shouldShowSpendSinceTheLastCallAndDropARemovedBudgetWhenScrapedAgain() {
        BudgetedKeyGrant key = new BudgetedKeyGrant("abc123", null, null, null, new BudgetState(1, 5.0, null), null, null);
        metrics.listener().onCallEnded(call("dep-a", Principal.of(key), 200, Usage.of(10, 5)));
        assertThat(scrape(metrics).sum("litellm_remaining_api_key_budget_metric", Map.of())).isEqualTo(4.0);

        key.own = new BudgetState(4.5, 5.0, null);
        assertThat(scrape(metrics).sum("litellm_remaining_api_key_budget_metric", Map.of())).isEqualTo(0.5);

        key.own = new BudgetState(4.5, null, null);
        Exposition e = scrape(metrics);
        assertThat(e.sum("litellm_remaining_api_key_budget_metric", Map.of("api_key_alias", "None")))
                .isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(e.families()).doesNotContainKeys("litellm_api_key_max_budget_metric",
                "litellm_remaining_team_budget_metric");
    }

    @Test
    void shouldReportTheRemainingRequestsAndTokensOfLimitedDeploymentsWhenScraped() {
        RoutingStats stats = new RoutingStats(routes, CLOCK::millis);
        LimitingRouter router = new LimitingRouter(routes, LocalLimitStore.INSTANCE, CLOCK::millis,
                RoutingStrategy.SIMPLE_SHUFFLE, RoutingStrategyArgs.DEFAULTS, stats);
        metrics.watch(router);
        ModelRoute route = routes.resolve("gpt-a");
        assertThat(route).isNotNull();
        Random random = new Random(1);
        int onA = 0;
        for (int i = 0; i < 6; i++) {
            Lease lease = router.acquire(route, null, random);
            assertThat(lease).isNotNull();
            onA += lease.target().deployment().id().equals("dep-a") ? 1 : 0;
            lease.release(200, Usage.of(60, 40));
        }
        int onB = 6 - onA;

        Exposition e = scrape(metrics);

        for (String name : List.of("litellm_remaining_requests_metric", "litellm_remaining_requests")) {
            assertThat(e.family(name).type()).isEqualTo("gauge");
            assertThat(e.family(name).labelNames()).containsExactlyInAnyOrder("model_group", "api_provider",
                    "api_base", "litellm_model_name", "hashed_api_key", "api_key_alias", "model_id");
            assertThat(e.sum(name, Map.of("model_id", "dep-a", "model_group", "gpt-a", "hashed_api_key", "None",
                    "api_base", "http://127.0.0.1:9/v1"))).isEqualTo(18 - onA);
            assertThat(e.sum(name, Map.of("model_id", "dep-b"))).as("no rpm on dep-b").isZero();
        }
        for (String name : List.of("litellm_remaining_tokens_metric", "litellm_remaining_tokens")) {
            assertThat(e.sum(name, Map.of("model_id", "dep-b"))).isEqualTo(1000 - 100 * onB);
            assertThat(e.sum(name, Map.of("model_id", "dep-a"))).as("no tpm on dep-a").isZero();
        }
    }

    private static CallRecord call(String deployment, Principal principal, int status, @Nullable Usage usage) {
        AttemptRecord attempt = new AttemptRecord(deployment, status, null, 1002 * MS, 1100 * MS, 1400 * MS);
        return new CallRecord("call-1", Endpoint.CHAT_COMPLETIONS, "gpt-a", "gpt-a", deployment, principal, status,
                null, false, usage, 1000 * MS, 1150 * MS, 1400 * MS, 97 * MS, List.of(attempt));
    }
}
