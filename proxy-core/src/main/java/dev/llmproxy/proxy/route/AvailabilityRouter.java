package dev.llmproxy.proxy.route;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Wraps a {@link Router} so that it never picks a deployment that a {@link DeploymentAvailability} rules out
 * (cooling down, failing its health check): those are handed to it as if the call had already tried them, so any
 * strategy honours them without knowing about them, {@code order} levels included (when every deployment of the
 * lowest order is out, the next order takes over, as in LiteLLM).
 *
 * <p>Allocation: none while every deployment of the group is available; otherwise one small set per acquire.
 *
 * <p>Thread-safety: thread-safe if the wrapped router and the availability are.
 */
public final class AvailabilityRouter implements Router {
    private final Router router;
    private final DeploymentAvailability availability;
    private final LongSupplier ticker;

    /**
     * @param router picks among the available deployments
     * @param availability which deployments may be picked
     * @param ticker monotonic time in nanoseconds, as {@code availability} measures it
     */
    public AvailabilityRouter(Router router, DeploymentAvailability availability, LongSupplier ticker) {
        this.router = requireNonNull(router, "router");
        this.availability = requireNonNull(availability, "availability");
        this.ticker = requireNonNull(ticker, "ticker");
    }

    @Override
    public @Nullable Lease acquire(ModelRoute route, @Nullable TriedDeployments tried, RandomGenerator random) {
        return acquire(route, tried, random, false);
    }

    @Override
    public @Nullable Lease acquire(ModelRoute route, @Nullable TriedDeployments tried, RandomGenerator random,
            boolean stream) {
        long now = ticker.getAsLong();
        TriedDeployments excluded = null;
        for (int i = 0; i < route.size(); i++) {
            Deployment deployment = route.target(i).deployment();
            if (availability.isAvailable(deployment, now) || (tried != null && tried.contains(deployment))) {
                continue;
            }
            if (excluded == null) {
                excluded = tried == null ? new TriedDeployments() : tried.copy();
            }
            excluded.add(deployment);
        }
        return router.acquire(route, excluded != null ? excluded : tried, random, stream);
    }

    /**
     * The wrapped router's wait, or, when every deployment of the group is out, the wait until the first comes back
     * if that is longer.
     */
    @Override
    public long retryAfterMillis(ModelRoute route) {
        long now = ticker.getAsLong();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < route.size() && least > 0; i++) {
            least = Math.min(least, availability.unavailableNanos(route.target(i).deployment(), now));
        }
        long outMillis = least >= Long.MAX_VALUE / 2 ? 0 : TimeUnit.NANOSECONDS.toMillis(least + 999_999);
        return Math.max(router.retryAfterMillis(route), outMillis);
    }

    @Override
    public @Nullable GroupQuota quota(ModelRoute route) {
        return router.quota(route);
    }

    @Override
    public @Nullable GroupQuota deploymentQuota(Deployment deployment) {
        return router.deploymentQuota(deployment);
    }

    /** Probes go to cooling deployments too: a health check is how they are seen to recover. */
    @Override
    public @Nullable Lease acquireProbe(Target target) {
        return router.acquireProbe(target);
    }

    @Override
    public CapacityWaiter.@Nullable Ticket await(ModelRoute route, boolean stream, CapacityWaiter waiter) {
        return router.await(route, stream, waiter);
    }
}
