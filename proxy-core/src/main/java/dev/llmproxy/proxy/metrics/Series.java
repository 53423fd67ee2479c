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
        final CallerLabels caller;
        final String requestedModel;
        final @Nullable DeploymentLabels deployment;
        final Endpoint endpoint;
        final int status;
        final @Nullable ProxyError error;
        final boolean stream;
        /**
         * The series of the attempt that ended as the request did on its deployment (the usual single attempt), set by
         * the first such call. Written by any event loop without synchronisation: a reader sees null (and looks the
         * series up) or a fully built holder (its fields are final), and every writer writes the same holder.
         */
        @Nullable AttemptData answering;
        /** Whether the key is a success answered by a deployment: the latency and token families apply. */
        final boolean success;
        final @Nullable CounterDataPoint total;
        final @Nullable CounterDataPoint failed;
        final @Nullable CounterDataPoint requests;
        final @Nullable DistributionDataPoint totalLatency;
        final @Nullable DistributionDataPoint apiLatency;
        final @Nullable DistributionDataPoint timeToFirstToken;
        /**
         * Looked up at the first observation, so that calls which never have one (a mock answer has no provider
         * request; embeddings, images and audio have no output tokens) leave no empty histogram behind. Written as
         * {@link #answering} is: the client gives every writer the same data point.
         */
        private @Nullable DistributionDataPoint overhead;
        private @Nullable DistributionDataPoint perOutputToken;
        final @Nullable CounterDataPoint totalTokens;
        final @Nullable CounterDataPoint inputTokens;
        final @Nullable CounterDataPoint outputTokens;
        final @Nullable CounterDataPoint legacyTotalTokens;
        final @Nullable CounterDataPoint spend;
        private final MetricFamilies families;
        private final SeriesLabels labels;

        RequestData(MetricFamilies f, RequestKey key, Outcome outcome) {
            caller = key.caller();
            requestedModel = key.requestedModel();
            deployment = key.deployment();
            endpoint = key.endpoint();
            status = key.status();
            error = key.error();
            stream = key.stream();
            boolean failure = outcome == Outcome.FAILURE;
            families = f;
            labels = new SeriesLabels(key.caller(), key.requestedModel(), key.deployment(),
                    key.endpoint().path(), Labels.status(key.status()),
                    failure ? ExceptionClasses.of(key.error(), key.status(), key.deployment()) : NONE);
            success = outcome == Outcome.SUCCESS && key.deployment() != null;
            total = f.totalRequests.point(labels);
            failed = failure ? f.failedRequests.point(labels) : null;
            requests = success ? f.requests.point(labels) : null;
            totalLatency = success ? f.requestTotalLatency.point(labels) : null;
            apiLatency = success ? f.llmApiLatency.point(labels) : null;
            timeToFirstToken = success && key.stream() ? f.timeToFirstToken.point(labels) : null;
            totalTokens = success ? f.totalTokens.point(labels) : null;
            inputTokens = success ? f.inputTokens.point(labels) : null;
            outputTokens = success ? f.outputTokens.point(labels) : null;
            legacyTotalTokens = success ? f.legacyTotalTokens.point(labels) : null;
            spend = success ? f.spend.point(labels) : null;
        }

        /** {@code litellm_overhead_latency_metric} of a success, or null when the family is off. */
        @Nullable DistributionDataPoint overhead() {
            DistributionDataPoint point = overhead;
            if (point == null && success) {
                point = families.overheadLatency.point(labels);
                overhead = point;
            }
            return point;
        }

        /** {@code litellm_deployment_latency_per_output_token} of a success, or null when the family is off. */
        @Nullable DistributionDataPoint perOutputToken() {
            DistributionDataPoint point = perOutputToken;
            if (point == null && success) {
                point = families.latencyPerOutputToken.point(labels);
                perOutputToken = point;
            }
            return point;
        }

        /** Whether these are the series of that key; label values are canonical instances, compared by identity. */
        boolean matches(CallerLabels caller, String requestedModel, @Nullable DeploymentLabels deployment,
                Endpoint endpoint, int status, @Nullable ProxyError error, boolean stream) {
            return this.caller == caller && this.requestedModel == requestedModel && this.deployment == deployment
                    && this.endpoint == endpoint && this.status == status && this.error == error
                    && this.stream == stream;
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
