package dev.llmproxy.proxy.metrics;

import dev.llmproxy.proxy.auth.BudgetState;
import dev.llmproxy.proxy.auth.KeyGrant;
import dev.llmproxy.proxy.metrics.MetricFamilies.BudgetFamilies;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.DeploymentLimits;
import dev.llmproxy.proxy.route.GroupQuota;
import dev.llmproxy.proxy.route.Router;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/*
 * Implementation notes.
 *
 * LiteLLM sets its budget and remaining-quota gauges in the success callback of each request. Here they are set when a
 * scrape asks, from the state the request path keeps anyway (the key cache's budgets and spend, the router's limit
 * sets): requests pay nothing for them, and a scrape sees the values as they are now, not as the last request left
 * them (a budget reset, or a minute that rolled over since, shows at once).
 *
 * The budgets reported are those of the virtual keys that called since start-up (as in LiteLLM, which reports a key's
 * budget once it made a request), their teams and their users. The remaining requests and tokens are those of the
 * deployments with an rpm or tpm limit; the router keeps no figures for the others. LiteLLM reads them from the
 * provider's x-ratelimit-remaining-* headers per key and deployment; the limiter's figures belong to the deployment
 * alone, so the key labels are "None".
 *
 * The per-key, per-model remaining requests and tokens are those of the key's model_rpm_limit/model_tpm_limit sets,
 * which belong to the key and the model name, not to a deployment, so model_id is "None". A series whose limit is
 * gone (removed from the key, or the key's labels changed) is taken away at the next scrape.
 */
/**
 * The gauges a scrape sets just before it reads the registry: the budgets of keys, teams and users
 * ({@code litellm_remaining_api_key_budget_metric}, ...) and the deployments' remaining requests and tokens this minute
 * ({@code litellm_remaining_requests_metric}, ...).
 *
 * <p>Thread-safety: {@link #refresh} runs on the scrape thread, one at a time; {@link #watch} may be called from any
 * thread before or during scrapes.
 */
final class ScrapedGauges {
    private static final double MILLIS_PER_HOUR = 3_600_000.0;

    private final MetricFamilies families;
    private final CallRecorder recorder;
    private final Clock clock;
    private final List<Deployment> limited = new ArrayList<>();
    /** The per-key, per-model series the last scrape set; scrape thread only. */
    private Set<KeyModelLabels> keyModelSeries = new HashSet<>();
    /** Set once the server's router exists; read by the scrape thread. */
    private volatile @Nullable Router router;

    ScrapedGauges(MetricFamilies families, CallRecorder recorder, List<Deployment> deployments, Clock clock) {
        this.families = families;
        this.recorder = recorder;
        this.clock = clock;
        for (Deployment deployment : deployments) {
            DeploymentLimits limits = deployment.limits();
            if (limits.rpm() != DeploymentLimits.NONE || limits.tpm() != DeploymentLimits.NONE) {
                limited.add(deployment);
            }
        }
    }

    /** Reads the deployments' remaining requests and tokens from {@code watched} from now on. */
    void watch(Router watched) {
        this.router = watched;
    }

    /** Sets every gauge to its value now. */
    void refresh() {
        long nowMillis = clock.millis();
        Set<String> teams = new HashSet<>();
        Set<String> users = new HashSet<>();
        Set<KeyModelLabels> keyModels = new HashSet<>();
        for (CallerLabels caller : recorder.keyCallers()) {
            KeyGrant key = caller.grant();
            if (key == null) {
                continue;
            }
            set(families.keyBudgets, SeriesLabels.of(caller), key.budget(), nowMillis);
            key.modelQuotas(nowMillis, (model, requests, tokens) -> {
                KeyModelLabels labels = new KeyModelLabels(caller, model);
                keyModels.add(labels);
                setOrRemove(families.keyModelRemainingRequests, labels, requests);
                setOrRemove(families.keyModelRemainingTokens, labels, tokens);
            });
            String teamId = key.teamId();
            BudgetState team = teamId == null ? null : key.teamBudget();
            if (teamId != null && team != null && teams.add(teamId)) {
                set(families.teamBudgets, label -> Labels.TEAM.equals(label) ? teamId : Labels.NONE, team,
                        nowMillis);
            }
            String userId = key.userId();
            BudgetState user = userId == null ? null : key.userBudget();
            if (userId != null && user != null && users.add(userId)) {
                set(families.userBudgets, label -> Labels.USER.equals(label) ? userId : Labels.NONE, user, nowMillis);
            }
        }
        for (KeyModelLabels gone : keyModelSeries) {
            if (!keyModels.contains(gone)) {
                families.keyModelRemainingRequests.remove(gone);
                families.keyModelRemainingTokens.remove(gone);
            }
        }
        keyModelSeries = keyModels;
        Router watched = router;
        if (watched != null) {
            remaining(watched);
        }
    }

    private static void setOrRemove(Family<GaugeDataPoint> family, KeyModelLabels labels, long value) {
        if (value == KeyGrant.ModelQuotas.NONE) {
            family.remove(labels);
        } else {
            set(family.point(labels), value);
        }
    }

    private void remaining(Router watched) {
        for (Deployment deployment : limited) {
            GroupQuota quota = watched.deploymentQuota(deployment);
            if (quota == null) {
                continue;
            }
            SeriesLabels labels = SeriesLabels.of(recorder.deployment(deployment.id()));
            if (quota.remainingRequests() != GroupQuota.NONE) {
                set(families.remainingRequests.point(labels), quota.remainingRequests());
                set(families.legacyRemainingRequests.point(labels), quota.remainingRequests());
            }
            if (quota.remainingTokens() != GroupQuota.NONE) {
                set(families.remainingTokens.point(labels), quota.remainingTokens());
                set(families.legacyRemainingTokens.point(labels), quota.remainingTokens());
            }
        }
    }

    /**
     * What is left of {@code budget} ({@code +Inf} without one, as LiteLLM), the budget and the hours until it resets
     * when they are set; a budget or reset time that was removed takes its series away.
     */
    private static void set(BudgetFamilies gauges, UnaryOperator<String> labels, BudgetState budget, long nowMillis) {
        Double max = budget.maxBudgetUsd();
        set(gauges.remaining().point(labels), max == null ? Double.POSITIVE_INFINITY : max - budget.spendUsd());
        if (max != null) {
            set(gauges.max().point(labels), max);
        } else {
            gauges.max().remove(labels);
        }
        Instant resetAt = budget.resetAt();
        if (resetAt != null) {
            set(gauges.remainingHours().point(labels),
                    Math.max(0, resetAt.toEpochMilli() - nowMillis) / MILLIS_PER_HOUR);
        } else {
            gauges.remainingHours().remove(labels);
        }
    }

    private static void set(@Nullable GaugeDataPoint point, double value) {
        if (point != null) {
            point.set(value);
        }
    }

    /** The labels of a key's limit on one model: the key's, the model's, and {@code "None"} for the rest. */
    private record KeyModelLabels(CallerLabels caller, String model) implements UnaryOperator<String> {
        @Override
        public String apply(String label) {
            return switch (label) {
                case Labels.HASHED_API_KEY -> caller.hashedApiKey;
                case Labels.API_KEY_ALIAS -> caller.apiKeyAlias;
                case Labels.MODEL -> model;
                default -> Labels.NONE;
            };
        }
    }
}
