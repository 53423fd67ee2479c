package dev.llmproxy.proxy.metrics;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.auth.KeyGrant;
import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.call.AttemptRecord;
import dev.llmproxy.proxy.call.CallListener;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.metrics.Series.AttemptData;
import dev.llmproxy.proxy.metrics.Series.AttemptKey;
import dev.llmproxy.proxy.metrics.Series.Outcome;
import dev.llmproxy.proxy.metrics.Series.RequestData;
import dev.llmproxy.proxy.metrics.Series.RequestKey;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.RouteTable;
import dev.llmproxy.proxy.spend.CallCosts;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Implementation notes.
 *
 * Runs on every event loop, once per request, so recording must neither lock nor allocate much. Each distinct label
 * combination is resolved once into a holder of the client's data points (Series): the first request of a combination
 * pays for the client's label lookups, later ones find the holder and then only increment the client's striped
 * adders. A holder is found first in a small direct-mapped array, by comparing canonical label instances (no key
 * object, no hashing beyond the instances' seeds); on a miss (a new combination, or two sharing a slot) it is looked
 * up in the ConcurrentHashMap with a key object and put into its slot. The array's slots are written without
 * synchronisation: a reader sees an older or a newer holder, each complete (final fields), and checks it matches.
 * The attempt that answered a request with the request's own outcome (the usual single attempt) is counted through
 * the holder the request's holder keeps for it, so it needs no lookup of its own. The holders are bounded because every label value is: callers are a fixed
 * set per virtual key (keys exist in the store; a refused key never gets that far), deployments come from the config,
 * requested models go through ModelLabels, statuses are three digits and error kinds an enum.
 *
 * A virtual key's CallerLabels are cached by the key's hash and rebuilt when its alias, user or team changes, so that
 * each key's series stay keyed by one instance; the old instance lives on in the series it already names.
 *
 * A holder built twice by two event loops at once is harmless: the client returns the same data points for the same
 * label values, and putIfAbsent keeps one holder.
 *
 * The client's counters are striped adders. Its histograms (1.x) count observations in striped atomics and only while
 * a scrape is reading a histogram do its observers take a short lock, so that the scrape sees consistent buckets,
 * sum and count; that happens on the scrape thread's schedule, a few times a minute.
 */
/**
 * Counts every {@link CallRecord} of a model API request into {@link MetricFamilies}; records of other paths (health,
 * model list, {@code /metrics} itself, unknown paths) are not LLM requests and are ignored, as LiteLLM's callbacks
 * never see them. Never throws: a failure is counted in {@code litellm_callback_logging_failures_metric} and logged
 * once.
 *
 * <p>Thread-safety: called concurrently from every event loop; lock-free outside the moments a scrape reads a
 * histogram (see the notes above).
 */
final class CallRecorder implements CallListener {
    private static final Logger log = LoggerFactory.getLogger(CallRecorder.class);
    private static final double NANOS_PER_SECOND = 1e9;
    private static final int RECENT_SLOTS = 1024;

    private final MetricFamilies families;
    private final CallCosts costs;
    private final ModelLabels models;
    private final Map<String, DeploymentLabels> deployments;
    private final @Nullable CounterDataPoint failures;
    private final ConcurrentHashMap<RequestKey, RequestData> requestSeries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<AttemptKey, AttemptData> attemptSeries = new ConcurrentHashMap<>();
    /** Recently used request holders by {@link #slot}; see the notes above. */
    private final RequestData[] recent = new RequestData[RECENT_SLOTS];
    /** By key hash: each virtual key's labels as last seen. */
    private final ConcurrentHashMap<String, CallerLabels> keyCallers = new ConcurrentHashMap<>();
    private final AtomicBoolean failureLogged = new AtomicBoolean();

    CallRecorder(MetricFamilies families, RouteTable routes, CallCosts costs) {
        this.families = families;
        this.costs = costs;
        this.models = new ModelLabels(routes);
        Map<String, DeploymentLabels> byId = new HashMap<>();
        for (Deployment listed : routes.deployments()) {
            Deployment deployment = routes.deploymentFor(listed.id());
            byId.putIfAbsent(listed.id(), DeploymentLabels.of(deployment != null ? deployment : listed));
        }
        this.deployments = Map.copyOf(byId);
        this.failures = families.callbackFailures.point(label -> "prometheus");
    }

    @Override
    public void onCallEnded(CallRecord record) {
        try {
            record(record);
        } catch (RuntimeException | AssertionError e) {
            inc(failures);
            if (failureLogged.compareAndSet(false, true)) {
                log.warn("[{}] metrics could not count a request; further failures are only counted in "
                        + "litellm_callback_logging_failures_metric", record.callId(), e);
            }
        }
    }

    private void record(CallRecord record) {
        Endpoint endpoint = record.endpoint();
        if (endpoint == null) {
            return;
        }
        CallerLabels caller = caller(record.principal());
        String requestedModel = models.of(record.requestedModel(), record.modelGroup() != null);
        String deploymentId = record.deploymentId();
        DeploymentLabels deployment = deploymentId == null ? null : deployment(deploymentId);
        ProxyError error = record.error();
        int status = error != null ? error.status().code() : record.status();
        boolean stream = record.stream();
        int slot = slot(caller, requestedModel, deployment, endpoint, status, error, stream);
        RequestData data = recent[slot];
        if (data == null || !data.matches(caller, requestedModel, deployment, endpoint, status, error, stream)) {
            data = requestData(new RequestKey(caller, requestedModel, deployment, endpoint, status, error, stream));
            recent[slot] = data;
        }
        inc(data.total);
        inc(data.failed);
        List<AttemptRecord> attempts = record.attempts();
        int count = attempts.size();
        if (count == 0) {
            return;
        }
        AttemptRecord last = attempts.get(count - 1);
        if (data.success) {
            success(record, data, last);
        }
        for (int i = 0; i < count - 1; i++) {
            attempt(caller, requestedModel, attempts.get(i));
        }
        if (deployment != null && last.error() == error && status(last) == status && error != ProxyError.CLIENT_CLOSED
                && last.deploymentId().equals(deploymentId)) {
            AttemptData answering = data.answering;
            if (answering == null) {
                answering = attemptData(new AttemptKey(caller, requestedModel, deployment, status, error));
                data.answering = answering;
            }
            count(answering);
        } else {
            attempt(caller, requestedModel, last);
        }
    }

    private RequestData requestData(RequestKey key) {
        RequestData data = requestSeries.get(key);
        return data != null
                ? data
                : putIfAbsent(requestSeries, key, new RequestData(families, key, Outcome.of(key.status(), key.error())));
    }

    private static int slot(CallerLabels caller, String requestedModel, @Nullable DeploymentLabels deployment,
            Endpoint endpoint, int status, @Nullable ProxyError error, boolean stream) {
        int h = caller.seed ^ (deployment == null ? 0 : deployment.seed) ^ requestedModel.hashCode() * 31
                ^ status * 0x27D4EB2D ^ endpoint.ordinal() << 20 ^ (error == null ? 0 : error.ordinal() << 24)
                ^ (stream ? 0x5BD1E995 : 0);
        h ^= h >>> 16;
        return h & (RECENT_SLOTS - 1);
    }

    /** The latency and token families of a success; {@code last} is the attempt that answered. */
    private void success(CallRecord record, RequestData data, AttemptRecord last) {
        inc(data.requests);
        observe(data.totalLatency, seconds(record.endNanos() - record.startNanos()));
        long apiNanos = last.endNanos() - last.startNanos();
        observe(data.apiLatency, seconds(apiNanos));
        long firstTokenNanos = record.firstByteNanos() == 0 ? -1 : record.firstByteNanos() - last.startNanos();
        if (record.stream() && firstTokenNanos >= 0) {
            observe(data.timeToFirstToken, seconds(firstTokenNanos));
        }
        if (last.headersNanos() != 0) {
            // As x-litellm-overhead-duration-ms: arrival until the answering request was sent to the provider.
            long sentNanos = last.headersNanos() - record.upstreamNanos();
            observe(data.overhead(), seconds(sentNanos - record.startNanos()));
        }
        Usage usage = record.usage();
        if (usage == null) {
            return;
        }
        inc(data.totalTokens, usage.totalTokens());
        inc(data.legacyTotalTokens, usage.totalTokens());
        inc(data.inputTokens, usage.promptTokens());
        inc(data.outputTokens, usage.completionTokens());
        CounterDataPoint spend = data.spend;
        if (spend != null) {
            double cost = costs.cost(record);
            if (cost > 0) {
                spend.inc(cost);
            }
        }
        if (usage.completionTokens() > 0) {
            long perTokenBase = record.stream() && firstTokenNanos >= 0 ? firstTokenNanos : apiNanos;
            observe(data.perOutputToken(), seconds(perTokenBase) / usage.completionTokens());
        }
    }

    private void attempt(CallerLabels caller, String requestedModel, AttemptRecord attempt) {
        ProxyError error = attempt.error();
        if (error == ProxyError.CLIENT_CLOSED) {
            return;
        }
        int status = status(attempt);
        count(attemptData(new AttemptKey(caller, requestedModel, deployment(attempt.deploymentId()), status, error)));
    }

    private AttemptData attemptData(AttemptKey key) {
        AttemptData data = attemptSeries.get(key);
        return data != null
                ? data
                : putIfAbsent(attemptSeries, key, new AttemptData(families, key, Outcome.of(key.status(), key.error())));
    }

    private static int status(AttemptRecord attempt) {
        ProxyError error = attempt.error();
        return error != null ? error.status().code() : attempt.status();
    }

    private static void count(AttemptData data) {
        inc(data.total);
        inc(data.success);
        inc(data.failure);
        inc(data.llmApiFailed);
        GaugeDataPoint state = data.state;
        if (state != null) {
            // LiteLLM's set_deployment_healthy / set_deployment_partial_outage, per provider call.
            state.set(data.stateValue);
        }
    }

    /** A cooldown took {@code deployment} out of rotation: state 2, one more cooldown (rare: no series cache). */
    void cooledDown(Deployment deployment, int status) {
        DeploymentLabels labels = deployment(deployment.id());
        GaugeDataPoint state = families.deploymentState.point(SeriesLabels.of(labels));
        if (state != null) {
            state.set(2);
        }
        inc(families.deploymentCooledDown.point(new SeriesLabels(CallerLabels.UNKNOWN, Labels.NONE, labels,
                Labels.NONE, status == 0 ? Labels.NONE : Labels.status(status), Labels.NONE)));
    }

    /** Counts records an integration lost ({@code callback_name} is one of a fixed set of names). */
    void countCallbackFailures(String callbackName, long records) {
        CounterDataPoint point = families.callbackFailures.point(label -> callbackName);
        if (point != null && records > 0) {
            point.inc(records);
        }
    }

    private CallerLabels caller(@Nullable Principal principal) {
        KeyGrant key = principal == null ? null : principal.key();
        if (key == null) {
            return CallerLabels.of(principal);
        }
        CallerLabels known = keyCallers.get(key.tokenHash());
        if (known != null && known.describes(key)) {
            known.seen(key);
            return known;
        }
        CallerLabels current = CallerLabels.of(key);
        current.seen(key);
        keyCallers.put(key.tokenHash(), current);
        return current;
    }

    /** The labels of every virtual key that called, as last seen. */
    Collection<CallerLabels> keyCallers() {
        return keyCallers.values();
    }

    DeploymentLabels deployment(String id) {
        DeploymentLabels labels = deployments.get(id);
        return labels != null ? labels : DeploymentLabels.UNKNOWN;
    }

    private static <K, V> V putIfAbsent(ConcurrentHashMap<K, V> map, K key, V value) {
        V previous = map.putIfAbsent(key, value);
        return previous != null ? previous : value;
    }

    private static void inc(@Nullable CounterDataPoint point) {
        if (point != null) {
            point.inc();
        }
    }

    private static void inc(@Nullable CounterDataPoint point, long amount) {
        if (point != null && amount > 0) {
            point.inc(amount);
        }
    }

    private static void observe(@Nullable DistributionDataPoint point, double value) {
        if (point != null) {
            point.observe(value);
        }
    }

    private static double seconds(long nanos) {
        return Math.max(0, nanos) / NANOS_PER_SECOND;
    }
}
