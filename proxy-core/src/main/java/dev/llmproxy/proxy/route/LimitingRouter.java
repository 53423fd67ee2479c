package dev.llmproxy.proxy.route;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.limiter.LimitSet;
import dev.llmproxy.limiter.LimitSpec;
import dev.llmproxy.limiter.LimitStore;
import dev.llmproxy.proxy.config.DeploymentConfig;
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
 */
/**
 * Routes with LiteLLM's simple-shuffle weights and enforces every deployment's {@code rpm}, {@code tpm},
 * {@code rpd} and {@code max_parallel_requests}, whatever the routing strategy; honours {@code order} (lower first, a
 * higher order only when every lower one is tried or at its limits). The server wraps it in an
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

    /**
     * A router for the deployments of {@code routes}, each limited set kept in {@code store}.
     *
     * @param clockMillis the wall clock in epoch milliseconds (windows are calendar minutes and days)
     * @throws IllegalArgumentException when the store cannot enforce a deployment's limits
     */
    public LimitingRouter(RouteTable routes, LimitStore store, LongSupplier clockMillis) {
        this(routes.deployments(), store, clockMillis);
    }

    LimitingRouter(List<Deployment> deployments, LimitStore store, LongSupplier clockMillis) {
        requireNonNull(store, "store");
        this.clockMillis = requireNonNull(clockMillis, "clockMillis");
        int size = 0;
        for (Deployment deployment : deployments) {
            size = Math.max(size, deployment.config().index() + 1);
        }
        this.admissions = new Admission[size];
        for (Deployment deployment : deployments) {
            if (deployment.limits().isLimited() && admissions[deployment.config().index()] == null) {
                LimitSet limits = store.create(deployment.id(), deployment.limits().toSpec());
                admissions[deployment.config().index()] = new Admission(deployment, limits, clockMillis);
            }
        }
    }

    @Override
    public @Nullable Lease acquire(ModelRoute route, @Nullable TriedDeployments tried, RandomGenerator random) {
        if (route.isPlain()) {
            Target target = route.pick(random, tried);
            return target == null ? null : target.unlimitedLease();
        }
        long now = clockMillis.getAsLong();
        long skipped = 0;
        boolean[] skippedAbove64 = route.size() > 64 ? new boolean[route.size() - 64] : null;
        for (int order : route.orders()) {
            for (;;) {
                int index = route.pickIndex(random, tried, skipped, skippedAbove64, order);
                if (index < 0) {
                    break;
                }
                Target target = route.target(index);
                Admission admission = admission(target.deployment());
                if (admission == null) {
                    return target.unlimitedLease();
                }
                if (admission.limits.tryAcquire(now) == LimitSet.ADMITTED) {
                    return admission.lease(target);
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
