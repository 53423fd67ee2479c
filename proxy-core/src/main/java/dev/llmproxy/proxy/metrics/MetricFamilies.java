package dev.llmproxy.proxy.metrics;

import static dev.llmproxy.proxy.metrics.Labels.API_BASE;
import static dev.llmproxy.proxy.metrics.Labels.API_KEY_ALIAS;
import static dev.llmproxy.proxy.metrics.Labels.API_PROVIDER;
import static dev.llmproxy.proxy.metrics.Labels.CALLBACK_NAME;
import static dev.llmproxy.proxy.metrics.Labels.CLIENT_IP;
import static dev.llmproxy.proxy.metrics.Labels.END_USER;
import static dev.llmproxy.proxy.metrics.Labels.EXCEPTION_CLASS;
import static dev.llmproxy.proxy.metrics.Labels.EXCEPTION_STATUS;
import static dev.llmproxy.proxy.metrics.Labels.HASHED_API_KEY;
import static dev.llmproxy.proxy.metrics.Labels.LITELLM_MODEL_NAME;
import static dev.llmproxy.proxy.metrics.Labels.MODEL;
import static dev.llmproxy.proxy.metrics.Labels.MODEL_GROUP;
import static dev.llmproxy.proxy.metrics.Labels.MODEL_ID;
import static dev.llmproxy.proxy.metrics.Labels.REQUESTED_MODEL;
import static dev.llmproxy.proxy.metrics.Labels.ROUTE;
import static dev.llmproxy.proxy.metrics.Labels.SERVICE_TIER;
import static dev.llmproxy.proxy.metrics.Labels.STATUS_CODE;
import static dev.llmproxy.proxy.metrics.Labels.TEAM;
import static dev.llmproxy.proxy.metrics.Labels.TEAM_ALIAS;
import static dev.llmproxy.proxy.metrics.Labels.USER;
import static dev.llmproxy.proxy.metrics.Labels.USER_AGENT;
import static dev.llmproxy.proxy.metrics.Labels.USER_EMAIL;

import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.DeploymentLimits;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The metric families LiteLLM's {@code PrometheusLogger} exposes that a {@link dev.llmproxy.proxy.call.CallRecord}
 * can fill, with LiteLLM's names, types, label names (in LiteLLM's order) and buckets, registered in one registry.
 * Counters are declared without {@code _total}, which the exposition appends, as LiteLLM's Python client does.
 *
 * <p>A {@link MetricFilter} may turn families off or drop labels; a family that is off is not registered and its
 * data points are null.
 *
 * <p>Budgets and the deployments' remaining requests and tokens are gauges set when a scrape asks for them (see
 * {@link ScrapedGauges}); cache hits are not registered until a cache exists. {@code litellm_deployment_state}
 * moves between 0 and 1 with each attempt's outcome, and is 2 (complete outage) from a cooldown until the next
 * attempt.
 *
 * <p>Thread-safety: the families are the client's thread-safe metrics; this class only holds them.
 */
final class MetricFamilies {
    /** The default buckets of the Python client, which LiteLLM leaves on the per-output-token histogram. */
    static final double[] PYTHON_DEFAULT_BUCKETS = {
        0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0};

    static final String[] TOTAL_REQUESTS_LABELS = {END_USER, HASHED_API_KEY, API_KEY_ALIAS, REQUESTED_MODEL, TEAM,
        TEAM_ALIAS, USER, STATUS_CODE, USER_EMAIL, ROUTE, CLIENT_IP, USER_AGENT, MODEL_ID, API_PROVIDER};
    static final String[] FAILED_REQUESTS_LABELS = {END_USER, HASHED_API_KEY, API_KEY_ALIAS, REQUESTED_MODEL, TEAM,
        TEAM_ALIAS, USER, USER_EMAIL, EXCEPTION_STATUS, EXCEPTION_CLASS, ROUTE, CLIENT_IP, USER_AGENT, MODEL_ID,
        API_PROVIDER};
    static final String[] REQUESTS_LABELS = {END_USER, HASHED_API_KEY, API_KEY_ALIAS, MODEL, TEAM, TEAM_ALIAS, USER,
        USER_EMAIL, CLIENT_IP, USER_AGENT, REQUESTED_MODEL, MODEL_ID, API_PROVIDER};
    static final String[] LLM_API_FAILED_LABELS = {END_USER, HASHED_API_KEY, API_KEY_ALIAS, MODEL, TEAM, TEAM_ALIAS,
        USER, MODEL_ID};
    static final String[] LATENCY_LABELS = {END_USER, HASHED_API_KEY, API_KEY_ALIAS, REQUESTED_MODEL, TEAM,
        TEAM_ALIAS, USER, MODEL, MODEL_ID, API_PROVIDER, SERVICE_TIER};
    static final String[] OVERHEAD_LABELS = {MODEL_GROUP, API_PROVIDER, API_BASE, LITELLM_MODEL_NAME, HASHED_API_KEY,
        API_KEY_ALIAS, MODEL_ID};
    static final String[] PER_OUTPUT_TOKEN_LABELS = {LITELLM_MODEL_NAME, MODEL_ID, API_BASE, API_PROVIDER,
        HASHED_API_KEY, API_KEY_ALIAS, TEAM, TEAM_ALIAS};
    static final String[] TOKENS_LABELS = {END_USER, HASHED_API_KEY, API_KEY_ALIAS, MODEL, TEAM, TEAM_ALIAS, USER,
        USER_EMAIL, REQUESTED_MODEL, MODEL_ID, API_PROVIDER};
    static final String[] DEPLOYMENT_LABELS = {REQUESTED_MODEL, LITELLM_MODEL_NAME, MODEL_ID, API_BASE, API_PROVIDER,
        HASHED_API_KEY, API_KEY_ALIAS, TEAM, TEAM_ALIAS, CLIENT_IP, USER_AGENT};
    static final String[] DEPLOYMENT_FAILURE_LABELS = {REQUESTED_MODEL, LITELLM_MODEL_NAME, MODEL_ID, API_BASE,
        API_PROVIDER, EXCEPTION_STATUS, EXCEPTION_CLASS, HASHED_API_KEY, API_KEY_ALIAS, TEAM, TEAM_ALIAS, CLIENT_IP,
        USER_AGENT};
    static final String[] DEPLOYMENT_LIMIT_LABELS = {LITELLM_MODEL_NAME, MODEL_ID, API_BASE, API_PROVIDER};
    static final String[] SPEND_LABELS = {END_USER, HASHED_API_KEY, API_KEY_ALIAS, MODEL, TEAM, TEAM_ALIAS, USER,
        USER_EMAIL, CLIENT_IP, USER_AGENT, REQUESTED_MODEL, MODEL_ID, API_PROVIDER, SERVICE_TIER};
    static final String[] REMAINING_LABELS = {MODEL_GROUP, API_PROVIDER, API_BASE, LITELLM_MODEL_NAME, HASHED_API_KEY,
        API_KEY_ALIAS, MODEL_ID};
    static final String[] KEY_BUDGET_LABELS = {HASHED_API_KEY, API_KEY_ALIAS};
    static final String[] KEY_MODEL_REMAINING_LABELS = {HASHED_API_KEY, API_KEY_ALIAS, MODEL, MODEL_ID};
    static final String[] TEAM_BUDGET_LABELS = {TEAM, TEAM_ALIAS};
    static final String[] USER_BUDGET_LABELS = {USER};
    static final String[] COOLED_DOWN_LABELS = {LITELLM_MODEL_NAME, MODEL_ID, API_BASE, API_PROVIDER,
        EXCEPTION_STATUS};

    final PrometheusRegistry registry = new PrometheusRegistry();
    final Family<CounterDataPoint> totalRequests;
    final Family<CounterDataPoint> failedRequests;
    final Family<CounterDataPoint> requests;
    final Family<CounterDataPoint> llmApiFailedRequests;
    final Family<DistributionDataPoint> requestTotalLatency;
    final Family<DistributionDataPoint> llmApiLatency;
    final Family<DistributionDataPoint> timeToFirstToken;
    final Family<DistributionDataPoint> overheadLatency;
    final Family<DistributionDataPoint> latencyPerOutputToken;
    final Family<CounterDataPoint> totalTokens;
    final Family<CounterDataPoint> inputTokens;
    final Family<CounterDataPoint> outputTokens;
    final Family<CounterDataPoint> legacyTotalTokens;
    final Family<CounterDataPoint> deploymentSuccess;
    final Family<CounterDataPoint> deploymentFailure;
    final Family<CounterDataPoint> deploymentTotal;
    final Family<CounterDataPoint> callbackFailures;
    final Family<GaugeDataPoint> deploymentState;
    final Family<CounterDataPoint> deploymentCooledDown;
    final Family<CounterDataPoint> spend;
    final BudgetFamilies keyBudgets;
    final BudgetFamilies teamBudgets;
    final BudgetFamilies userBudgets;
    final Family<GaugeDataPoint> remainingRequests;
    final Family<GaugeDataPoint> remainingTokens;
    final Family<GaugeDataPoint> legacyRemainingRequests;
    final Family<GaugeDataPoint> legacyRemainingTokens;
    final Family<GaugeDataPoint> keyModelRemainingRequests;
    final Family<GaugeDataPoint> keyModelRemainingTokens;
    /** The names of the filter that name no family here (LiteLLM families llmproxy does not expose yet, or typos). */
    final Set<String> unmatchedFilterNames;
    private final MetricFilter filter;
    private final Set<String> declared = new HashSet<>();

    MetricFamilies(double[] latencyBounds, MetricFilter filter, List<Deployment> deployments) {
        this.filter = filter;
        totalRequests = counter("litellm_proxy_total_requests_metric",
                "Requests made to the proxy, by the status the client got", TOTAL_REQUESTS_LABELS);
        failedRequests = counter("litellm_proxy_failed_requests_metric",
                "Requests whose client did not get a success", FAILED_REQUESTS_LABELS);
        requests = counter("litellm_requests_metric",
                "Successful LLM calls (deprecated by LiteLLM; kept for its dashboards)", REQUESTS_LABELS);
        llmApiFailedRequests = counter("litellm_llm_api_failed_requests_metric",
                "Failed LLM provider calls (deprecated by LiteLLM; kept for its dashboards)", LLM_API_FAILED_LABELS);
        requestTotalLatency = histogram("litellm_request_total_latency_metric",
                "Seconds from the request's arrival to the end of its response", LATENCY_LABELS, latencyBounds);
        llmApiLatency = histogram("litellm_llm_api_latency_metric",
                "Seconds of the answering provider call, from its start to its end", LATENCY_LABELS, latencyBounds);
        timeToFirstToken = histogram("litellm_llm_api_time_to_first_token_metric",
                "Seconds from the provider call's start to its first streamed byte (streams only)", LATENCY_LABELS,
                latencyBounds);
        overheadLatency = histogram("litellm_overhead_latency_metric",
                "Seconds the proxy spent before sending the request to the provider", OVERHEAD_LABELS,
                latencyBounds);
        latencyPerOutputToken = histogram("litellm_deployment_latency_per_output_token",
                "Seconds per output token (time to first token for streams, else provider call time)",
                PER_OUTPUT_TOKEN_LABELS, PYTHON_DEFAULT_BUCKETS);
        totalTokens = counter("litellm_total_tokens_metric", "Input plus output tokens", TOKENS_LABELS);
        inputTokens = counter("litellm_input_tokens_metric", "Input (prompt) tokens", TOKENS_LABELS);
        outputTokens = counter("litellm_output_tokens_metric", "Output (completion) tokens", TOKENS_LABELS);
        legacyTotalTokens = counter("litellm_total_tokens",
                "Input plus output tokens under the name LiteLLM used before August 2025", TOKENS_LABELS);
        deploymentSuccess = counter("litellm_deployment_success_responses",
                "Successful calls to a deployment", DEPLOYMENT_LABELS);
        deploymentFailure = counter("litellm_deployment_failure_responses",
                "Failed calls to a deployment", DEPLOYMENT_FAILURE_LABELS);
        deploymentTotal = counter("litellm_deployment_total_requests",
                "Calls to a deployment, successful or not", DEPLOYMENT_LABELS);
        callbackFailures = counter("litellm_callback_logging_failures_metric",
                "Records a metrics callback failed to count", new String[] {CALLBACK_NAME});
        deploymentState = gauge("litellm_deployment_state",
                "The deployment's health as its last call left it: 0 healthy, 1 partial outage (it failed), "
                        + "2 complete outage (cooled down)", DEPLOYMENT_LIMIT_LABELS);
        deploymentCooledDown = counter("litellm_deployment_cooled_down",
                "Times the router took the deployment out of rotation (cooldown)", COOLED_DOWN_LABELS);
        spend = counter("litellm_spend_metric", "Spend on LLM calls in USD (usage at the deployment's price)",
                SPEND_LABELS);
        keyBudgets = new BudgetFamilies(
                gauge("litellm_remaining_api_key_budget_metric",
                        "The key's budget left in USD (+Inf without a budget)", KEY_BUDGET_LABELS),
                gauge("litellm_api_key_max_budget_metric", "The key's budget in USD", KEY_BUDGET_LABELS),
                gauge("litellm_api_key_budget_remaining_hours_metric", "Hours until the key's budget resets",
                        KEY_BUDGET_LABELS));
        teamBudgets = new BudgetFamilies(
                gauge("litellm_remaining_team_budget_metric",
                        "The team's budget left in USD (+Inf without a budget)", TEAM_BUDGET_LABELS),
                gauge("litellm_team_max_budget_metric", "The team's budget in USD", TEAM_BUDGET_LABELS),
                gauge("litellm_team_budget_remaining_hours_metric", "Hours until the team's budget resets",
                        TEAM_BUDGET_LABELS));
        userBudgets = new BudgetFamilies(
                gauge("litellm_remaining_user_budget_metric",
                        "The user's budget left in USD (+Inf without a budget)", USER_BUDGET_LABELS),
                gauge("litellm_user_max_budget_metric", "The user's budget in USD", USER_BUDGET_LABELS),
                gauge("litellm_user_budget_remaining_hours_metric", "Hours until the user's budget resets",
                        USER_BUDGET_LABELS));
        remainingRequests = gauge("litellm_remaining_requests_metric",
                "Requests the deployment may still take this minute (its rpm)", REMAINING_LABELS);
        remainingTokens = gauge("litellm_remaining_tokens_metric",
                "Tokens the deployment may still take this minute (its tpm)", REMAINING_LABELS);
        legacyRemainingRequests = gauge("litellm_remaining_requests",
                "litellm_remaining_requests_metric under the name LiteLLM used before December 2025",
                REMAINING_LABELS);
        legacyRemainingTokens = gauge("litellm_remaining_tokens",
                "litellm_remaining_tokens_metric under the name LiteLLM used before December 2025", REMAINING_LABELS);
        keyModelRemainingRequests = gauge("litellm_remaining_api_key_requests_for_model",
                "Requests the key may still make to the model this minute (its model_rpm_limit)",
                KEY_MODEL_REMAINING_LABELS);
        keyModelRemainingTokens = gauge("litellm_remaining_api_key_tokens_for_model",
                "Tokens the key may still use on the model this minute (its model_tpm_limit)",
                KEY_MODEL_REMAINING_LABELS);
        registerLimits(deployments);
        declared.add("litellm_deployment_tpm_limit");
        declared.add("litellm_deployment_rpm_limit");
        Set<String> named = new TreeSet<>(filter.excludeMetrics());
        if (filter.include() != null) {
            named.addAll(filter.include().keySet());
        }
        named.removeAll(declared);
        this.unmatchedFilterNames = Collections.unmodifiableSet(named);
    }

    private Family<CounterDataPoint> counter(String name, String help, String[] labels) {
        declared.add(name);
        String[] kept = filter.labels(name, labels);
        if (kept == null) {
            return Family.off();
        }
        Counter counter = Counter.builder().name(name).help(help).labelNames(kept).withoutExemplars()
                .register(registry);
        return Family.of(counter, kept);
    }

    private Family<DistributionDataPoint> histogram(String name, String help, String[] labels, double[] bounds) {
        declared.add(name);
        String[] kept = filter.labels(name, labels);
        if (kept == null) {
            return Family.off();
        }
        Histogram histogram = Histogram.builder().name(name).help(help).labelNames(kept).classicOnly()
                .classicUpperBounds(bounds).withoutExemplars().register(registry);
        return Family.of(histogram, kept);
    }

    /** The configured tpm and rpm of each deployment, registered only when a deployment has one (as LiteLLM). */
    private void registerLimits(List<Deployment> deployments) {
        Family<GaugeDataPoint> tpm = null;
        Family<GaugeDataPoint> rpm = null;
        for (Deployment deployment : deployments) {
            DeploymentLimits limits = deployment.limits();
            SeriesLabels labels = SeriesLabels.of(DeploymentLabels.of(deployment));
            if (limits.tpm() != DeploymentLimits.NONE) {
                if (tpm == null) {
                    tpm = gauge("litellm_deployment_tpm_limit", "The deployment's configured tpm",
                            DEPLOYMENT_LIMIT_LABELS);
                }
                set(tpm.point(labels), limits.tpm());
            }
            if (limits.rpm() != DeploymentLimits.NONE) {
                if (rpm == null) {
                    rpm = gauge("litellm_deployment_rpm_limit", "The deployment's configured rpm",
                            DEPLOYMENT_LIMIT_LABELS);
                }
                set(rpm.point(labels), limits.rpm());
            }
        }
    }

    private Family<GaugeDataPoint> gauge(String name, String help, String[] labels) {
        declared.add(name);
        String[] kept = filter.labels(name, labels);
        if (kept == null) {
            return Family.off();
        }
        Gauge gauge = Gauge.builder().name(name).help(help).labelNames(kept).withoutExemplars().register(registry);
        return Family.of(gauge, kept);
    }

    /** The three gauges of one kind of owner's budget: what is left, the budget, and the hours until it resets. */
    record BudgetFamilies(Family<GaugeDataPoint> remaining, Family<GaugeDataPoint> max,
            Family<GaugeDataPoint> remainingHours) {}

    private static void set(@Nullable GaugeDataPoint point, long value) {
        if (point != null) {
            point.set(value);
        }
    }
}
