package dev.llmproxy.proxy.route;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.limiter.LimitSet;
import dev.llmproxy.limiter.LimitSpec;
import dev.llmproxy.limiter.LimitStore;
import dev.llmproxy.proxy.config.ConfigException;
import dev.llmproxy.proxy.config.DeploymentConfig;
import dev.llmproxy.proxy.config.RoutingStrategy;
import dev.llmproxy.proxy.config.RoutingStrategyArgs;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/*
 * Implementation notes.
 *
 * One LimitSet per model_list entry, created once from Deployment.limits() and found by the entry's index in
 * model_list (an array read, verified against the entry itself): a "*" entry that stands for every provider is one
 * entry, so its per-provider deployments share one set. acquire() reads the wall clock once and then, for each order
 * level from the lowest up: picks by simple-shuffle weight among the level's targets that the call has not tried and
 * that have not refused it in this acquire, and asks the pick's set to admit the call. The first admission wins; a
 * refusal marks the target (a bit in a long, or an array for groups of more than 64) and the pick is made again
 * among the rest; when a level has nothing left, the next one is tried. Refusals take nothing (LimitSet is
 * all-or-nothing), so trying deployment after deployment never uses up another's quota.
 *
 * Allocation: none on any path for groups of up to 64 deployments whose targets are fixed (a lease per entry is made
 * once and shared: it holds no per-call state, the call releasing it exactly once). A wildcard deployment's target is
 * made per request, and so is its lease.
 *
 * Strategies. Which candidate of a level is picked is the DeploymentPicker's choice (simple-shuffle by default, the
 * others of router_settings.routing_strategy); limits and order are enforced around it the same way whatever it is.
 * Deployments whose background health check failed are marked skipped before the first pick (unless no untried one
 * is healthy). Strategies that read calls in flight or the minute's usage get the lease wrapped so that its release
 * is counted (DeploymentStats.track, shared per fixed target like the lease itself).
 *
 * Why health is here and not a DeploymentAvailability beside the cooldowns: health differs from a cooldown in that a
 * group whose deployments all fail their checks keeps them all (LiteLLM's enable_health_check_routing does the same),
 * which the AvailabilityRouter cannot express (it would hand every deployment over as tried, and the group would answer
 * 429); and marking in a bit mask here costs nothing, where the AvailabilityRouter copies the tried set whenever a
 * deployment is out. Moving it would add a rule to the availability seam and an allocation, and remove nothing.
 */
/**
 * Routes with LiteLLM's routing strategies (simple-shuffle weights by default) and enforces every deployment's
 * {@code rpm}, {@code tpm}, {@code rpd} and {@code max_parallel_requests}, whatever the routing strategy; honours
 * {@code order} (lower first, a higher order only when every lower one is tried or at its limits) and keeps
 * deployments that failed their background health check out of rotation. The server wraps it in an
 * {@link AvailabilityRouter}, which keeps cooling deployments away from it.
 *
 * <p>Tokens are charged when the attempt's lease is released, from the usage the provider reported (none when it
 * reported none); see {@link dev.llmproxy.limiter.LocalLimitSet} for what each limit guarantees.
 *
 * <p>Thread-safety: thread-safe and lock-free; shared by every event loop.
 */
public final class LimitingRouter implements Router {

    private final LongSupplier clockMillis;
    /** By {@code model_list} index; null for an entry without limits. Written once in the constructor. */
    private final @Nullable Admission[] admissions;
    private final DeploymentPicker picker;
    /** Health and live figures, or null when routing needs neither (simple-shuffle without health checks). */
    private final @Nullable RoutingStats stats;

    /**
     * A router for the deployments of {@code routes}, each limited set kept in {@code store}.
     *
     * @param clockMillis the wall clock in epoch milliseconds (windows are calendar minutes and days)
     * @throws ConfigException when the store cannot enforce a deployment's limits (too large together)
     */
    public LimitingRouter(RouteTable routes, LimitStore store, LongSupplier clockMillis) {
        this(routes.deployments(), store, clockMillis, DeploymentPicker.SHUFFLE, null);
    }

    /**
     * A router for the deployments of {@code routes} that picks with {@code strategy}, each limited set kept in
     * {@code store}, skipping deployments that {@code stats} marks out of rotation.
     *
     * @param stats the live figures the strategy reads and the health checker writes, made for the same routes
     * @throws ConfigException when the store cannot enforce a deployment's limits (too large together)
     */
    public LimitingRouter(RouteTable routes, LimitStore store, LongSupplier clockMillis, RoutingStrategy strategy,
            RoutingStrategyArgs args, RoutingStats stats) {
        this(routes.deployments(), store, clockMillis, DeploymentPicker.of(strategy, args, stats), stats);
    }

    LimitingRouter(List<Deployment> deployments, LimitStore store, LongSupplier clockMillis, DeploymentPicker picker,
            @Nullable RoutingStats stats) {
        requireNonNull(store, "store");
        this.clockMillis = requireNonNull(clockMillis, "clockMillis");
        this.picker = requireNonNull(picker, "picker");
        this.stats = stats;
        int size = 0;
        for (Deployment deployment : deployments) {
            size = Math.max(size, deployment.config().index() + 1);
        }
        this.admissions = new Admission[size];
        for (Deployment deployment : deployments) {
            if (deployment.limits().isLimited() && admissions[deployment.config().index()] == null) {
                admissions[deployment.config().index()] =
                        new Admission(deployment, limitSet(store, deployment), clockMillis);
            }
        }
    }

    @Override
    public @Nullable Lease acquire(ModelRoute route, @Nullable TriedDeployments tried, RandomGenerator random) {
        return acquire(route, tried, random, false);
    }

    @Override
    public @Nullable Lease acquire(ModelRoute route, @Nullable TriedDeployments tried, RandomGenerator random,
            boolean stream) {
        RoutingStats routing = stats;
        if (route.isPlain() && picker == DeploymentPicker.SHUFFLE
                && (routing == null || !routing.isHealthChecked())) {
            Target target = route.pick(random, tried);
            return target == null ? null : target.unlimitedLease();
        }
        long now = clockMillis.getAsLong();
        boolean[] skippedAbove64 = route.size() > 64 ? new boolean[route.size() - 64] : null;
        long skipped = routing == null ? 0 : routing.unhealthy(route, tried, skippedAbove64);
        for (int order : route.orders()) {
            for (;;) {
                int index = picker.pick(route, random, tried, skipped, skippedAbove64, order, stream, now);
                if (index < 0) {
                    break;
                }
                Target target = route.target(index);
                Admission admission = admission(target.deployment());
                if (admission == null) {
                    return tracked(target, target.unlimitedLease(), now);
                }
                if (admission.limits.tryAcquire(now) == LimitSet.ADMITTED) {
                    return tracked(target, admission.lease(target), now);
                }
                if (skippedAbove64 == null || index < 64) {
                    skipped |= 1L << index;
                } else {
                    skippedAbove64[index - 64] = true;
                }
            }
        }
        return null;
    }

    /** {@code lease}, counted in the deployment's stats when the strategy reads calls in flight or usage. */
    private Lease tracked(Target target, Lease lease, long now) {
        RoutingStats routing = stats;
        if (routing == null || !picker.tracksLeases()) {
            return lease;
        }
        DeploymentStats deployment = routing.of(target.deployment());
        deployment.admitted(now);
        return deployment.track(lease, !target.deployment().isWildcard(), routing);
    }

    @Override
    public @Nullable Lease acquireProbe(Target target) {
        Admission admission = admission(target.deployment());
        if (admission == null) {
            return target.unlimitedLease();
        }
        return admission.limits.tryAcquire(clockMillis.getAsLong()) == LimitSet.ADMITTED
                ? admission.lease(target)
                : null;
    }

    /** The least time until some deployment of {@code route} could admit a call: 0 when one could now. */
    @Override
    public long retryAfterMillis(ModelRoute route) {
        long now = clockMillis.getAsLong();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < route.size() && least > 0; i++) {
            Admission admission = admission(route.target(i).deployment());
            least = Math.min(least, admission == null ? 0 : admission.limits.retryAfterMillis(now));
        }
        return least;
    }

    /** The sums of the group's rpm and tpm limits and what is left of them this minute; null when it has neither. */
    @Override
    public @Nullable GroupQuota quota(ModelRoute route) {
        long now = clockMillis.getAsLong();
        boolean hasRpm = false;
        boolean hasTpm = false;
        long rpm = 0;
        long requests = 0;
        long tpm = 0;
        long tokens = 0;
        for (int i = 0; i < route.size(); i++) {
            Admission admission = admission(route.target(i).deployment());
            if (admission == null) {
                continue;
            }
            LimitSpec spec = admission.limits.spec();
            if (spec.requestsPerMinute() != LimitSpec.NONE) {
                hasRpm = true;
                rpm += spec.requestsPerMinute();
                requests += Math.max(0, spec.requestsPerMinute() - admission.limits.minuteRequests(now));
            }
            if (spec.tokensPerMinute() != LimitSpec.NONE) {
                hasTpm = true;
                tpm += spec.tokensPerMinute();
                tokens += Math.max(0, spec.tokensPerMinute() - admission.limits.minuteTokens(now));
            }
        }
        if (!hasRpm && !hasTpm) {
            return null;
        }
        return new GroupQuota(hasRpm ? rpm : GroupQuota.NONE, hasRpm ? requests : GroupQuota.NONE,
                hasTpm ? tpm : GroupQuota.NONE, hasTpm ? tokens : GroupQuota.NONE);
    }

    /** The rpm and tpm limits of the deployment's entry and what is left of them this minute; null when it has neither. */
    @Override
    public @Nullable GroupQuota deploymentQuota(Deployment deployment) {
        Admission admission = admission(deployment);
        if (admission == null) {
            return null;
        }
        long now = clockMillis.getAsLong();
        LimitSpec spec = admission.limits.spec();
        long rpm = spec.requestsPerMinute();
        long tpm = spec.tokensPerMinute();
        if (rpm == LimitSpec.NONE && tpm == LimitSpec.NONE) {
            return null;
        }
        return new GroupQuota(rpm == LimitSpec.NONE ? GroupQuota.NONE : rpm,
                rpm == LimitSpec.NONE ? GroupQuota.NONE : Math.max(0, rpm - admission.limits.minuteRequests(now)),
                tpm == LimitSpec.NONE ? GroupQuota.NONE : tpm,
                tpm == LimitSpec.NONE ? GroupQuota.NONE : Math.max(0, tpm - admission.limits.minuteTokens(now)));
    }

    /** The deployment's limit set; limits the store cannot enforce are a config error naming the entry. */
    private static LimitSet limitSet(LimitStore store, Deployment deployment) {
        try {
            return store.create(deployment.id(), deployment.limits().toSpec());
        } catch (IllegalArgumentException e) {
            DeploymentLimits limits = deployment.limits();
            throw new ConfigException(deployment.config().location(), deployment.config().keyPath(),
                    "limits too large to enforce together (rpm " + shown(limits.rpm()) + ", rpd "
                            + shown(limits.rpd()) + ", max_parallel_requests " + shown(limits.maxParallelRequests())
                            + "; expected them to fit in 63 bits together, e.g. each below 2^21 = 2097152)");
        }
    }

    private static String shown(long limit) {
        return limit == DeploymentLimits.NONE ? "none" : Long.toString(limit);
    }

    /** The deployment's admission, or null when it has no limits or is not one this router was built for. */
    private @Nullable Admission admission(Deployment deployment) {
        int index = deployment.config().index();
        if (index >= admissions.length) {
            return null;
        }
        Admission admission = admissions[index];
        return admission != null && admission.config == deployment.config() ? admission : null;
    }

    /** One limited entry: its limit set, and the lease of its fixed target. Thread-safety: immutable. */
    private static final class Admission {
        final DeploymentConfig config;
        final LimitSet limits;
        final LongSupplier clockMillis;
        final @Nullable LimitedLease fixedLease;

        Admission(Deployment deployment, LimitSet limits, LongSupplier clockMillis) {
            this.config = deployment.config();
            this.limits = limits;
            this.clockMillis = clockMillis;
            this.fixedLease = deployment.isWildcard() ? null : new LimitedLease(deployment.target(), this);
        }

        Lease lease(Target target) {
            LimitedLease lease = fixedLease;
            return lease != null && lease.target == target ? lease : new LimitedLease(target, this);
        }
    }

    /**
     * An admitted attempt: releasing it frees its parallel slot and charges its tokens. Holds no per-call state, so
     * one instance serves every call of a fixed target; each call releases it exactly once per admission.
     */
    private static final class LimitedLease implements Lease {
        final Target target;
        final Admission admission;

        LimitedLease(Target target, Admission admission) {
            this.target = target;
            this.admission = admission;
        }

        @Override
        public Target target() {
            return target;
        }

        @Override
        public void release(int status, @Nullable Usage usage) {
            long tokens = usage == null ? 0 : Math.max(0, usage.totalTokens());
            admission.limits.release(admission.clockMillis.getAsLong(), tokens);
        }
    }
}
