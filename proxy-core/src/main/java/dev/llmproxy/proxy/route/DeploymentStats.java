package dev.llmproxy.proxy.route;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.config.ConfigException;
import dev.llmproxy.proxy.config.DeploymentConfig;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * What routing strategies and health checks know about one {@code model_list} entry while the proxy runs: calls in
 * flight ({@code least-busy}), requests and tokens of the current minute ({@code usage-based-routing-v2}), recent
 * latencies and times to first token ({@code latency-based-routing}), the configured price per token
 * ({@code cost-based-routing}), and whether its last background health check passed.
 *
 * <p>Thread-safety: thread-safe and lock-free; every counter is an atomic written by the event loops that route to the
 * deployment and read by all of them; {@link #isHealthy()} is written by the health checker.
 */
public final class DeploymentStats {
    /** LiteLLM's price for a model it has no price for ({@code lowest_cost.py}): 5.0 per input and output token. */
    static final double UNKNOWN_COST_PER_TOKEN = 10.0;

    private final DeploymentConfig config;
    private final double costPerToken;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final MinuteCounter minuteRequests = new MinuteCounter();
    private final MinuteCounter minuteTokens = new MinuteCounter();
    private final LatencySamples latency = new LatencySamples();
    private final LatencySamples timeToFirstToken = new LatencySamples();
    /** Written by the health checker's thread, read by every event loop. */
    private volatile boolean healthy = true;
    /**
     * The tracked lease of the deployment's fixed target, made on first use; written by any event loop. Two loops
     * may both make one; either is right (a tracked lease holds no per-call state), and the last write stays.
     */
    private volatile @Nullable TrackedLease fixedLease;

    DeploymentStats(DeploymentConfig config) {
        this.config = requireNonNull(config, "config");
        this.costPerToken = costPerToken(config);
    }

    /** The entry these figures are about. */
    public DeploymentConfig config() {
        return config;
    }

    /** Whether the deployment is in rotation: true unless its last background health check failed. */
    public boolean isHealthy() {
        return healthy;
    }

    /** Records the outcome of a health check; through {@link RoutingStats#setHealthy}, which routers watch. */
    void setHealthy(boolean healthy) {
        this.healthy = healthy;
    }

    /** Calls admitted to the deployment and not yet ended (counted only by strategies that read it). */
    public int inFlight() {
        return inFlight.get();
    }

    /** Requests admitted in the calendar minute of {@code nowMillis}. */
    public long requestsThisMinute(long nowMillis) {
        return minuteRequests.read(nowMillis);
    }

    /** Tokens charged in the calendar minute of {@code nowMillis}. */
    public long tokensThisMinute(long nowMillis) {
        return minuteTokens.read(nowMillis);
    }

    /**
     * Records a finished call for latency-based routing.
     *
     * @param micros the call's duration in microseconds, per completion token when {@code completionTokens > 0}
     * @param timeToFirstTokenMicros for a streamed call, the time to its first byte (per completion token likewise);
     *     -1 for none
     */
    public void recordLatency(long micros, long timeToFirstTokenMicros, long nowMillis) {
        latency.record(micros, nowMillis);
        if (timeToFirstTokenMicros >= 0) {
            timeToFirstToken.record(timeToFirstTokenMicros, nowMillis);
        }
    }

    /** The mean latency to rank the deployment by: time to first token for streams when known, else the whole call. */
    long latencyMicros(boolean stream, long nowMillis, long ttlMillis) {
        if (stream) {
            long first = timeToFirstToken.average(nowMillis, ttlMillis);
            if (first >= 0) {
                return first;
            }
        }
        // A deployment without samples counts as 0, so that it is tried (and measured) first, as in LiteLLM.
        return Math.max(0, latency.average(nowMillis, ttlMillis));
    }

    /** {@code input_cost_per_token + output_cost_per_token}; LiteLLM's 5.0 for each one not configured. */
    double costPerToken() {
        return costPerToken;
    }

    /** A call was admitted: counts it in flight and in the minute's requests. */
    void admitted(long nowMillis) {
        inFlight.incrementAndGet();
        minuteRequests.add(nowMillis, 1);
    }

    /** An admitted call ended with {@code usage}. */
    void released(long nowMillis, @Nullable Usage usage) {
        inFlight.decrementAndGet();
        if (usage != null && usage.totalTokens() > 0) {
            minuteTokens.add(nowMillis, usage.totalTokens());
        }
    }

    /** {@code inner} wrapped so that its release is counted here; allocates only for wildcard targets. */
    Lease track(Lease inner, boolean fixedTarget, RoutingStats owner) {
        TrackedLease cached = fixedLease;
        if (cached != null && cached.inner == inner) {
            return cached;
        }
        TrackedLease made = new TrackedLease(inner, this, owner);
        if (fixedTarget) {
            fixedLease = made;
        }
        return made;
    }

    /**
     * LiteLLM reads prices from litellm_params, else model_info (its cost map comes later with the price table); a
     * deployment without them costs 5.0 + 5.0, so that priced ones are preferred.
     */
    private static double costPerToken(DeploymentConfig config) {
        double input = price(config, "input_cost_per_token");
        double output = price(config, "output_cost_per_token");
        if (Double.isNaN(input) && Double.isNaN(output)) {
            return UNKNOWN_COST_PER_TOKEN;
        }
        return (Double.isNaN(input) ? UNKNOWN_COST_PER_TOKEN / 2 : input)
                + (Double.isNaN(output) ? UNKNOWN_COST_PER_TOKEN / 2 : output);
    }

    private static double price(DeploymentConfig config, String key) {
        Object value = config.litellmParams().extraParams().get(key);
        String where = ".litellm_params.";
        if (value == null) {
            value = config.modelInfo().other().get(key);
            where = ".model_info.";
        }
        if (value == null) {
            return Double.NaN;
        }
        double price = Double.NaN;
        if (value instanceof Number number) {
            price = number.doubleValue();
        } else if (value instanceof String text) {
            try {
                price = Double.parseDouble(text.trim());
            } catch (NumberFormatException e) {
                price = Double.NaN;
            }
        }
        if (!(price >= 0) || Double.isInfinite(price)) {
            throw new ConfigException(config.location(), config.keyPath() + where + key,
                    "expected a price per token >= 0 (e.g. 0.0000025), got '" + value + "'");
        }
        return price;
    }

    /**
     * A lease whose release is counted in the deployment's stats before the inner lease is released. Holds no per-call
     * state, so one instance serves every call of a fixed target.
     */
    static final class TrackedLease implements Lease {
        final Lease inner;
        private final DeploymentStats stats;
        private final RoutingStats owner;

        TrackedLease(Lease inner, DeploymentStats stats, RoutingStats owner) {
            this.inner = inner;
            this.stats = stats;
            this.owner = owner;
        }

        @Override
        public Target target() {
            return inner.target();
        }

        @Override
        public void release(int status, @Nullable Usage usage) {
            stats.released(owner.nowMillis(), usage);
            inner.release(status, usage);
        }
    }
}
