package dev.llmproxy.proxy.metrics;

import static dev.llmproxy.proxy.metrics.Labels.NONE;

import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.provider.Endpoint;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import org.jspecify.annotations.Nullable;

/**
 * The data points one kind of outcome moves, looked up once per distinct label combination and then reused, so that
 * recording a request does no label-value lookups in the client's maps. Keys hold canonical label instances
 * ({@link CallerLabels}, {@link DeploymentLabels}, the {@link ModelLabels} value) compared by identity. A data point is
 * null when its family is off, or does not apply to the outcome.
 *
 * <p>Thread-safety: immutable holders of the client's thread-safe data points.
 */
final class Series {
    private Series() {}

    /**
     * What identifies a request's series: who, which model and deployment, which route, how it ended, and whether it
     * was streamed (only streams have a time to first token, so other requests create no such series, as in LiteLLM).
     */
    record RequestKey(CallerLabels caller, String requestedModel, @Nullable DeploymentLabels deployment,
            Endpoint endpoint, int status, @Nullable ProxyError error, boolean stream) {}

    /** What identifies an attempt's series. */
    record AttemptKey(CallerLabels caller, String requestedModel, DeploymentLabels deployment, int status,
            @Nullable ProxyError error) {}

    /** The request-level data points of one key. */
    static final class RequestData {
        /** Whether the key is a success answered by a deployment: the latency and token families apply. */
        final boolean success;
        final @Nullable CounterDataPoint total;
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
        final @Nullable CounterDataPoint spend;

        RequestData(MetricFamilies f, RequestKey key, Outcome outcome) {
            boolean failure = outcome == Outcome.FAILURE;
            SeriesLabels labels = new SeriesLabels(key.caller(), key.requestedModel(), key.deployment(),
                    key.endpoint().path(), Labels.status(key.status()),
                    failure ? ExceptionClasses.of(key.error(), key.status(), key.deployment()) : NONE);
            success = outcome == Outcome.SUCCESS && key.deployment() != null;
            total = f.totalRequests.point(labels);
            failed = failure ? f.failedRequests.point(labels) : null;
            requests = success ? f.requests.point(labels) : null;
            totalLatency = success ? f.requestTotalLatency.point(labels) : null;
            apiLatency = success ? f.llmApiLatency.point(labels) : null;
            timeToFirstToken = success && key.stream() ? f.timeToFirstToken.point(labels) : null;
            overhead = success ? f.overheadLatency.point(labels) : null;
            perOutputToken = success ? f.latencyPerOutputToken.point(labels) : null;
            totalTokens = success ? f.totalTokens.point(labels) : null;
            inputTokens = success ? f.inputTokens.point(labels) : null;
            outputTokens = success ? f.outputTokens.point(labels) : null;
            legacyTotalTokens = success ? f.legacyTotalTokens.point(labels) : null;
            spend = success ? f.spend.point(labels) : null;
        }
    }

    /** The deployment-level data points of one attempt key. */
    static final class AttemptData {
        final @Nullable CounterDataPoint total;
        final @Nullable CounterDataPoint success;
        final @Nullable CounterDataPoint failure;
        final @Nullable CounterDataPoint llmApiFailed;
        final @Nullable GaugeDataPoint state;
        /** The deployment state this outcome leaves: 0 healthy, 1 partial outage. */
        final int stateValue;

        AttemptData(MetricFamilies f, AttemptKey key, Outcome outcome) {
            boolean failed = outcome == Outcome.FAILURE;
            stateValue = failed ? 1 : 0;
            SeriesLabels labels = new SeriesLabels(key.caller(), key.requestedModel(), key.deployment(), NONE,
                    Labels.status(key.status()),
                    failed ? ExceptionClasses.of(key.error(), key.status(), key.deployment()) : NONE);
            total = f.deploymentTotal.point(labels);
            success = failed ? null : f.deploymentSuccess.point(labels);
            failure = failed ? f.deploymentFailure.point(labels) : null;
            llmApiFailed = failed ? f.llmApiFailedRequests.point(labels) : null;
            state = outcome == Outcome.CLIENT_CLOSED
                    ? null
                    : f.deploymentState.point(SeriesLabels.of(key.deployment()));
        }
    }

    /** How a request or an attempt ended, as the metrics count it. */
    enum Outcome {
        SUCCESS,
        FAILURE,
        /** The client went away: counted in the request totals with status 499, neither a success nor a failure. */
        CLIENT_CLOSED;

        static Outcome of(int status, @Nullable ProxyError error) {
            if (error == ProxyError.CLIENT_CLOSED) {
                return CLIENT_CLOSED;
            }
            return error == null && status < 400 ? SUCCESS : FAILURE;
        }
    }
}
