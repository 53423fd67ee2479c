package dev.llmproxy.proxy.route;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.config.AllowedFailsPolicy;
import dev.llmproxy.proxy.config.ConfigException;
import dev.llmproxy.proxy.config.DeploymentConfig;
import dev.llmproxy.proxy.config.ReliabilitySettings;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/*
 * Implementation notes.
 *
 * LiteLLM's cooldown rules (router_utils/cooldown_handlers.py, see ../shared/spec/router.md §5), per deployment:
 *
 *   gate     only 401, 404, 408, 429 and 5xx can cool a deployment (the gateway's own connection failures are 502
 *            and 503, so they can too; LiteLLM exempts "APIConnectionError", which leaves a dead host in rotation);
 *            never a wildcard deployment, never with disable_cooldowns or a cooldown time of 0.
 *   default  (no allowed_fails_policy, allowed_fails unchanged): cool on a 429 when the group has other
 *            deployments; on 401 and 404 at once, even alone; when more than half of this minute's calls failed and
 *            there were at least 5, unless alone; when every one of at least 1000 calls this minute failed.
 *   counted  (allowed_fails set to another value, or a policy): count failures in a period as long as the cooldown
 *            time, starting at the first; cool when the count exceeds the allowance for the failure's class. Alone or
 *            not (LiteLLM PR #8668: the circuit breaker for a single-deployment primary, issue #40405).
 *   length   the deployment's cooldown_time, else the provider's Retry-After, else the router's cooldown_time.
 *
 * State per deployment (by model_list index, like LimitingRouter's limit sets): the ticker time until which it is
 * cooling (0 = not cooling), and two counting windows: failures in an AtomicLong, successes in a LongAdder (every
 * successful call adds one, from every event loop, so a single word would be a contended cache line). A window
 * restarts by a CAS on its start time; the winner zeroes the counters. This is racy, but the race is benign: an event
 * counted between the CAS and the zeroing is lost, which can only delay a cooldown by one event at a window edge.
 * coolUntil only grows (a CAS loop keeping the later time), so two failures at once never shorten a cooldown. No lock;
 * a success allocates nothing once the adder has its cells.
 */
/**
 * Takes deployments out of rotation for a while when they fail, by LiteLLM's rules ({@code allowed_fails},
 * {@code allowed_fails_policy}, {@code cooldown_time}, {@code disable_cooldowns}), and says which are cooling. A
 * health checker may cool a deployment too ({@link #coolDown}).
 *
 * <p>Thread-safety: thread-safe and lock-free; shared by every event loop.
 */
public final class Cooldowns implements DeploymentAvailability {

    /** The window of LiteLLM's success and failure counts ({@code {id}:successes}, {@code {id}:fails}). */
    private static final long MINUTE_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** LiteLLM's {@code DEFAULT_FAILURE_THRESHOLD_MINIMUM_REQUESTS}. */
    private static final long MINIMUM_REQUESTS = 5;
    /** LiteLLM's {@code SINGLE_DEPLOYMENT_TRAFFIC_FAILURE_THRESHOLD}. */
    private static final long SINGLE_DEPLOYMENT_MINIMUM_REQUESTS = 1000;

    private final ReliabilitySettings settings;
    private final long defaultCooldownNanos;
    private final boolean counted;
    /** By {@code model_list} index; null for an entry that is never cooled. Written once in the constructor. */
    private final @Nullable State[] states;
    private final CooldownListener listener;

    /**
     * Cooldowns for {@code deployments} under {@code settings}.
     *
     * @throws ConfigException when a deployment's {@code cooldown_time} is not a number of seconds >= 0
     */
    public Cooldowns(List<Deployment> deployments, ReliabilitySettings settings) {
        this(deployments, settings, CooldownListener.NONE);
    }

    /**
     * Cooldowns that tell {@code listener} each time a deployment is taken out of rotation.
     *
     * @throws ConfigException when a deployment's {@code cooldown_time} is not a number of seconds >= 0
     */
    public Cooldowns(List<Deployment> deployments, ReliabilitySettings settings, CooldownListener listener) {
        this.listener = requireNonNull(listener, "listener");
        this.settings = requireNonNull(settings, "settings");
        this.defaultCooldownNanos = settings.cooldownTime().toNanos();
        this.counted = settings.countsAllowedFails();
        int size = 0;
        for (Deployment deployment : deployments) {
            size = Math.max(size, deployment.config().index() + 1);
        }
        this.states = new State[size];
        if (settings.disableCooldowns()) {
            return;
        }
        for (Deployment deployment : deployments) {
            int index = deployment.config().index();
            if (!deployment.isWildcard() && deployment.modelGroup().indexOf('*') < 0 && states[index] == null) {
                states[index] = new State(deployment.config(), cooldownNanos(deployment.config()));
            }
        }
    }

    @Override
    public long unavailableNanos(Deployment deployment, long nowNanos) {
        State state = state(deployment);
        if (state == null) {
            return 0;
        }
        long until = state.coolUntil.get();
        return until == 0 || until - nowNanos <= 0 ? 0 : until - nowNanos;
    }

    /**
     * Takes {@code deployment} out of rotation for {@code durationNanos} from {@code nowNanos} (never shortening a
     * cooldown already running); for a health checker that saw it fail. Does nothing for a deployment that is never
     * cooled (wildcards, or cooldowns disabled).
     */
    public void coolDown(Deployment deployment, long nowNanos, long durationNanos) {
        coolDown(deployment, nowNanos, durationNanos, 0);
    }

    private void coolDown(Deployment deployment, long nowNanos, long durationNanos, int status) {
        State state = state(deployment);
        if (state == null || durationNanos <= 0) {
            return;
        }
        long until = nowNanos + durationNanos;
        long wanted = until == 0 ? 1 : until;
        for (;;) {
            long current = state.coolUntil.get();
            if (current != 0 && current - wanted >= 0) {
                return;
            }
            if (state.coolUntil.compareAndSet(current, wanted)) {
                listener.onCooledDown(deployment, status);
                return;
            }
        }
    }

    /** A call to {@code deployment} succeeded (counted for the default rules' failure rate). */
    public void onSuccess(Deployment deployment, long nowNanos) {
        State state = state(deployment);
        if (state != null && !counted) {
            state.minute.success(nowNanos, MINUTE_NANOS);
        }
    }

    /**
     * A call to {@code deployment}, a member of {@code route}, failed; cools it down when the rules say so.
     *
     * @return whether the deployment is now cooling down
     */
    public boolean onFailure(ModelRoute route, Deployment deployment, Failure failure, long nowNanos) {
        State state = state(deployment);
        if (state == null || !canCool(failure.status())) {
            return false;
        }
        boolean single = route.size() <= 1;
        boolean cool;
        if (counted) {
            long period = Math.max(1, state.cooldownNanos >= 0 ? state.cooldownNanos : defaultCooldownNanos);
            long failures = state.period.failure(nowNanos, period);
            cool = failures > allowedFails(failure.errorClass());
        } else {
            long failures = state.minute.failure(nowNanos, MINUTE_NANOS);
            long total = failures + state.minute.successes();
            int status = failure.status();
            cool = (status == 429 && !single)
                    || status == 401 || status == 404
                    || (!single && total >= MINIMUM_REQUESTS && failures * 2 > total)
                    || (total >= SINGLE_DEPLOYMENT_MINIMUM_REQUESTS && failures == total);
        }
        if (!cool) {
            return false;
        }
        long length = state.cooldownNanos >= 0 ? state.cooldownNanos
                : failure.hasRetryAfter() ? failure.retryAfterNanos() : defaultCooldownNanos;
        coolDown(deployment, nowNanos, length, failure.status());
        return length > 0;
    }

    /** LiteLLM's {@code _is_cooldown_required}: 401, 404, 408, 429 and every 5xx. */
    private static boolean canCool(int status) {
        return status == 401 || status == 404 || status == 408 || status == 429 || status >= 500;
    }

    private long allowedFails(ErrorClass errorClass) {
        AllowedFailsPolicy policy = settings.allowedFailsPolicy();
        Integer allowed = policy == null ? null : switch (errorClass) {
            case BAD_REQUEST, CONTEXT_WINDOW_EXCEEDED, PERMISSION_DENIED, CONFLICT -> policy.badRequest();
            case CONTENT_POLICY_VIOLATION -> policy.contentPolicyViolation();
            case AUTHENTICATION -> policy.authentication();
            case NOT_FOUND -> policy.notFound();
            case TIMEOUT, GATEWAY_TIMEOUT -> policy.timeout();
            case RATE_LIMIT -> policy.rateLimit();
            case INTERNAL_SERVER -> policy.internalServer();
            case BAD_GATEWAY -> policy.badGateway();
            case SERVICE_UNAVAILABLE -> policy.serviceUnavailable();
        };
        if (allowed != null) {
            return allowed;
        }
        Integer fails = settings.allowedFails();
        return fails != null ? fails : ReliabilitySettings.DEFAULT_ALLOWED_FAILS;
    }

    private @Nullable State state(Deployment deployment) {
        int index = deployment.config().index();
        if (index >= states.length) {
            return null;
        }
        State state = states[index];
        return state != null && state.config == deployment.config() ? state : null;
    }

    /**
     * The deployment's own {@code cooldown_time} ({@code litellm_params}, else {@code model_info}) in nanoseconds, or
     * -1 when it has none.
     */
    private static long cooldownNanos(DeploymentConfig config) {
        Object value = config.litellmParams().extraParams().get("cooldown_time");
        String key = "litellm_params";
        if (value == null) {
            value = config.modelInfo().other().get("cooldown_time");
            key = "model_info";
        }
        if (value == null) {
            return -1;
        }
        double seconds = value instanceof Number number ? number.doubleValue() : Double.NaN;
        if (value instanceof String text) {
            try {
                seconds = Double.parseDouble(text.trim());
            } catch (NumberFormatException e) {
                seconds = Double.NaN;
            }
        }
        if (!(seconds >= 0) || seconds > 1e9) {
            throw new ConfigException(config.location(), config.keyPath() + '.' + key + ".cooldown_time",
                    "expected a number of seconds >= 0, got '" + value + "'");
        }
        return Math.round(seconds * 1e9);
    }

    /** One deployment's cooldown and counters. */
    private static final class State {
        final DeploymentConfig config;
        /** The deployment's own cooldown time, or -1. */
        final long cooldownNanos;
        /** Ticker time the cooldown ends, 0 when none ever started. Written by any event loop (CAS), read by all. */
        final AtomicLong coolUntil = new AtomicLong();
        /** This minute's failures and successes, for the default rules. */
        final Window minute = new Window();
        /** Failures in the current allowance period, for counted allowances. */
        final Window period = new Window();

        State(DeploymentConfig config, long cooldownNanos) {
            this.config = config;
            this.cooldownNanos = cooldownNanos;
        }
    }

    /** Counts in a fixed window that starts at its first event; see the implementation notes for its races. */
    private static final class Window {
        /** Ticker time the window started; written by the event loop that restarts it (CAS), read by all. */
        private final AtomicLong start = new AtomicLong();
        /** Failures in the window; written and read by every event loop. */
        private final AtomicLong failures = new AtomicLong();
        /** Successes in the window, striped: every call adds one, so they must not contend on one word. */
        private final LongAdder successes = new LongAdder();
        private volatile boolean started;

        void success(long nowNanos, long lengthNanos) {
            roll(nowNanos, lengthNanos);
            successes.increment();
        }

        /** Counts one failure and answers the window's failures including it. */
        long failure(long nowNanos, long lengthNanos) {
            roll(nowNanos, lengthNanos);
            return failures.incrementAndGet();
        }

        long successes() {
            return successes.sum();
        }

        /** Starts a new window when the current one is over (the CAS winner zeroes the counts). */
        private void roll(long nowNanos, long lengthNanos) {
            long begun = start.get();
            if ((!started || nowNanos - begun >= lengthNanos) && (start.compareAndSet(begun, nowNanos) || !started)) {
                failures.set(0);
                successes.reset();
                started = true;
            }
        }
    }

    /**
     * Told when a deployment is taken out of rotation (or its cooldown lengthened); the metrics set
     * {@code litellm_deployment_state} to 2 and count {@code litellm_deployment_cooled_down}.
     *
     * <p>Called on the thread that cooled the deployment (an event loop, or the health checker's): must not block.
     */
    @FunctionalInterface
    public interface CooldownListener {
        /** Tells nothing. */
        CooldownListener NONE = (deployment, status) -> {};

        /**
         * @param status the HTTP status of the failure that cooled it, or 0 when it was cooled for another reason
         *     (a failed health check)
         */
        void onCooledDown(Deployment deployment, int status);
    }
}
