package dev.llmproxy.proxy.metrics;

import static dev.llmproxy.proxy.metrics.Labels.NONE;

import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.provider.Endpoint;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import org.jspecify.annotations.Nullable;

/**
 * The data points one kind of outcome moves, looked up once per distinct label combination and then reused, so that
 * recording a request does no label-value lookups in the client's maps. Keys hold canonical label instances
 * ({@link CallerLabels}, {@link DeploymentLabels}, the {@link ModelLabels} value) compared by identity.
 *
 * <p>Thread-safety: immutable holders of the client's thread-safe data points.
 */
final class Series {
    private Series() {}

    /** What identifies a request's series: who, which model and deployment, which route, and how it ended. */
    record RequestKey(CallerLabels caller, String requestedModel, @Nullable DeploymentLabels deployment,
            Endpoint endpoint, int status, @Nullable ProxyError error) {}

    /** What identifies an attempt's series. */
    record AttemptKey(CallerLabels caller, String requestedModel, DeploymentLabels deployment, int status,
            @Nullable ProxyError error) {}

    /** The request-level data points of one key; the success-only ones are null for failures. */
    static final class RequestData {
        final CounterDataPoint total;
        final @Nullable CounterDataPoint failed;
        final @Nullable CounterDataPoint requests;
        final @Nullable DistributionDataPoint totalLatency;
        final @Nullable DistributionDataPoint apiLatency;
        final @Nullable DistributionDataPoint timeToFirstToken;
        final @Nullable DistributionDataPoint overhead;
        final @Nullable DistributionDataPoint perOutputToken;
        final @Nullable CounterDataPoint totalTokens;
        final @Nullable CounterDataPoint inputTokens;
        final @Nullable CounterDataPoint outputTokens;
        final @Nullable CounterDataPoint legacyTotalTokens;

        RequestData(MetricFamilies f, RequestKey key, Outcome outcome) {
            CallerLabels c = key.caller();
            DeploymentLabels d = key.deployment();
            String modelId = d == null ? NONE : d.modelId;
            String provider = d == null ? NONE : d.apiProvider;
            String route = key.endpoint().path();
            total = f.totalRequests.labelValues(NONE, c.hashedApiKey, c.apiKeyAlias, key.requestedModel(), c.team,
                    c.teamAlias, c.user, Labels.status(key.status()), c.userEmail, route, NONE, NONE, modelId,
                    provider);
            if (outcome == Outcome.FAILURE) {
                failed = f.failedRequests.labelValues(NONE, c.hashedApiKey, c.apiKeyAlias, key.requestedModel(),
                        c.team, c.teamAlias, c.user, c.userEmail, Labels.status(key.status()),
                        ExceptionClasses.of(key.error(), key.status(), d), route, NONE, NONE, modelId, provider);
            } else {
                failed = null;
            }
            if (outcome != Outcome.SUCCESS || d == null) {
                requests = null;
                totalLatency = null;
                apiLatency = null;
                timeToFirstToken = null;
                overhead = null;
                perOutputToken = null;
                totalTokens = null;
                inputTokens = null;
                outputTokens = null;
                legacyTotalTokens = null;
                return;
            }
            String model = d.wildcard ? key.requestedModel() : d.model;
            requests = f.requests.labelValues(NONE, c.hashedApiKey, c.apiKeyAlias, model, c.team, c.teamAlias,
                    c.user, c.userEmail, NONE, NONE, key.requestedModel(), d.modelId, d.apiProvider);
            String[] latency = {NONE, c.hashedApiKey, c.apiKeyAlias, key.requestedModel(), c.team, c.teamAlias,
                c.user, model, d.modelId, d.apiProvider, NONE};
            totalLatency = f.requestTotalLatency.labelValues(latency);
            apiLatency = f.llmApiLatency.labelValues(latency);
            timeToFirstToken = f.timeToFirstToken.labelValues(latency);
            overhead = f.overheadLatency.labelValues(d.modelGroup, d.apiProvider, d.apiBase, d.litellmModelName,
                    c.hashedApiKey, c.apiKeyAlias, d.modelId);
            perOutputToken = f.latencyPerOutputToken.labelValues(d.litellmModelName, d.modelId, d.apiBase,
                    d.apiProvider, c.hashedApiKey, c.apiKeyAlias, c.team, c.teamAlias);
            String[] tokens = {NONE, c.hashedApiKey, c.apiKeyAlias, model, c.team, c.teamAlias, c.user, c.userEmail,
                key.requestedModel(), d.modelId, d.apiProvider};
            totalTokens = f.totalTokens.labelValues(tokens);
            inputTokens = f.inputTokens.labelValues(tokens);
            outputTokens = f.outputTokens.labelValues(tokens);
            legacyTotalTokens = f.legacyTotalTokens.labelValues(tokens);
        }
    }

    /** The deployment-level data points of one attempt key. */
    static final class AttemptData {
        final CounterDataPoint total;
        final @Nullable CounterDataPoint success;
        final @Nullable CounterDataPoint failure;
        final @Nullable CounterDataPoint llmApiFailed;

        AttemptData(MetricFamilies f, AttemptKey key, Outcome outcome) {
            CallerLabels c = key.caller();
            DeploymentLabels d = key.deployment();
            total = f.deploymentTotal.labelValues(key.requestedModel(), d.litellmModelName, d.modelId, d.apiBase,
                    d.apiProvider, c.hashedApiKey, c.apiKeyAlias, c.team, c.teamAlias, NONE, NONE);
            if (outcome == Outcome.SUCCESS) {
                success = f.deploymentSuccess.labelValues(key.requestedModel(), d.litellmModelName, d.modelId,
                        d.apiBase, d.apiProvider, c.hashedApiKey, c.apiKeyAlias, c.team, c.teamAlias, NONE, NONE);
                failure = null;
                llmApiFailed = null;
                return;
            }
            success = null;
            failure = f.deploymentFailure.labelValues(key.requestedModel(), d.litellmModelName, d.modelId, d.apiBase,
                    d.apiProvider, Labels.status(key.status()), ExceptionClasses.of(key.error(), key.status(), d),
                    c.hashedApiKey, c.apiKeyAlias, c.team, c.teamAlias, NONE, NONE);
            String model = d.wildcard ? key.requestedModel() : d.model;
            llmApiFailed = f.llmApiFailedRequests.labelValues(NONE, c.hashedApiKey, c.apiKeyAlias, model, c.team,
                    c.teamAlias, c.user, d.modelId);
        }
    }

    /** How a request or an attempt ended, as the metrics count it. */
    enum Outcome {
        SUCCESS,
        FAILURE,
        /** The client went away: counted in the totals with status 499, neither a success nor a failure. */
        CLIENT_CLOSED;

        static Outcome of(int status, @Nullable ProxyError error) {
            if (error == ProxyError.CLIENT_CLOSED) {
                return CLIENT_CLOSED;
            }
            return error == null && status < 400 ? SUCCESS : FAILURE;
        }
    }
}
