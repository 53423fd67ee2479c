package dev.llmproxy.proxy.metrics;

import static dev.llmproxy.proxy.metrics.MetricsTestSupport.CONFIG;
import static dev.llmproxy.proxy.metrics.MetricsTestSupport.chat;
import static dev.llmproxy.proxy.metrics.MetricsTestSupport.refused;
import static dev.llmproxy.proxy.metrics.MetricsTestSupport.routes;
import static dev.llmproxy.proxy.metrics.MetricsTestSupport.scrape;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.auth.BudgetState;
import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.call.CallListener;
import dev.llmproxy.proxy.call.ProxyError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * The Grafana dashboard and the Prometheus alert rules shipped in {@code conf/} only query series llmproxy exposes
 * (LiteLLM's issue: dashboards that reference families the code no longer emits).
 */
class ShippedDashboardsTest {
    private static final Path DASHBOARD = Path.of("..", "conf", "grafana", "llmproxy-dashboard.json");
    private static final Path ALERTS = Path.of("..", "conf", "prometheus", "alerts.yml");
    private static final Path SCRAPE_CONFIG = Path.of("..", "conf", "prometheus", "prometheus.yml");
    private static final Pattern METRIC = Pattern.compile("\\blitellm_[a-zA-Z0-9_]+");

    @TempDir
    Path dir;

    @Test
    void shouldQueryOnlyExposedSeriesWhenTheDashboardIsImported() throws IOException {
        List<String> queries = dashboardQueries();

        assertThat(queries).hasSizeGreaterThan(20);
        assertOnlyExposedSeries(queries);
    }

    @Test
    void shouldQueryOnlyExposedSeriesInEveryAlertRule() throws IOException {
        List<String> queries = alertQueries();

        assertThat(queries).hasSizeGreaterThanOrEqualTo(6);
        assertOnlyExposedSeries(queries);
        assertThat(String.join("\n", queries)).contains("litellm_proxy_failed_requests_metric_total",
                "litellm_request_total_latency_metric_bucket", "litellm_deployment_state",
                "litellm_remaining_api_key_budget_metric");
    }

    @Test
    void shouldLoadTheAlertRulesFromTheScrapeConfig() throws IOException {
        Map<String, Object> config = yaml(SCRAPE_CONFIG);

        assertThat(config.get("rule_files")).isEqualTo(List.of("alerts.yml"));
        assertThat(config).containsKey("scrape_configs");
    }

    private void assertOnlyExposedSeries(List<String> queries) {
        Exposition exposition = exposition();
        Set<String> exposed = seriesNames(exposition);
        Set<String> labels = labelNames(exposition);
        Set<String> referenced = new TreeSet<>();
        for (String query : queries) {
            Matcher matcher = METRIC.matcher(query);
            boolean any = false;
            while (matcher.find()) {
                // litellm_model_name is a label, not a series.
                if (!labels.contains(matcher.group())) {
                    referenced.add(matcher.group());
                    any = true;
                }
            }
            assertThat(any).as("a query without a litellm metric: " + query).isTrue();
            assertThat(count(query, '(')).as("parentheses of " + query).isEqualTo(count(query, ')'));
        }
        Set<String> missing = new TreeSet<>(referenced);
        missing.removeAll(exposed);
        assertThat(missing).as("series the exposition lacks").isEmpty();
    }

    /**
     * A scrape after a success, a failure, a stream, a refusal, a virtual key's call with key and team budgets, and a
     * lost trace record.
     */
    private Exposition exposition() {
        LitellmMetrics metrics = new LitellmMetrics(routes(dir, CONFIG), MetricsSettings.DEFAULTS);
        CallListener listener = metrics.listener();
        listener.onCallEnded(chat("dep-a", 200, null, true, Usage.of(10, 5)));
        listener.onCallEnded(chat("dep-b", 500, null, false, null));
        listener.onCallEnded(refused("gpt-a", Principal.MASTER, ProxyError.MISSING_FIELD));
        listener.onCallEnded(chat("dep-a", 200, null, false, Usage.of(10, 5), Principal.of(new BudgetedKeyGrant(
                "abc", "alias", "team-1", null, new BudgetState(1, 10.0, null), new BudgetState(2, 20.0, null),
                null))));
        metrics.countCallbackFailures("otel", 1);
        return scrape(metrics);
    }

    private static Set<String> seriesNames(Exposition exposition) {
        Set<String> names = new TreeSet<>();
        for (Exposition.Family family : exposition.families().values()) {
            family.samples().forEach(sample -> names.add(sample.name()));
            names.add(family.name());
        }
        return names;
    }

    private static Set<String> labelNames(Exposition exposition) {
        Set<String> names = new TreeSet<>();
        for (Exposition.Family family : exposition.families().values()) {
            family.samples().forEach(sample -> names.addAll(sample.labels().keySet()));
        }
        return names;
    }

    private static List<String> dashboardQueries() throws IOException {
        List<String> queries = new ArrayList<>();
        try (JsonParser parser = new JsonFactory().createParser(ObjectReadContext.empty(),
                Files.readString(DASHBOARD, StandardCharsets.UTF_8))) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token == JsonToken.PROPERTY_NAME && parser.currentName().equals("expr")) {
                    parser.nextToken();
                    queries.add(parser.getString());
                }
            }
        }
        return queries;
    }

    @SuppressWarnings("unchecked")
    private static List<String> alertQueries() throws IOException {
        List<String> queries = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) yaml(ALERTS).get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                assertThat(rule).containsKeys("alert", "expr", "labels", "annotations");
                queries.add((String) rule.get("expr"));
            }
        }
        return queries;
    }

    private static Map<String, Object> yaml(Path file) throws IOException {
        return new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file, StandardCharsets.UTF_8));
    }

    private static long count(String text, char c) {
        return text.chars().filter(ch -> ch == c).count();
    }
}
