package dev.llmproxy.proxy.route;

import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Chooses the deployment of each attempt of a call. A call asks for a lease before each attempt, passing the
 * deployments it already tried; the router skips those (and any it is cooling down), admits the pick against its
 * limits, and answers {@code null} when no deployment can take the call. Whether a call tries again after a failed
 * attempt is not the router's to say: {@link RetryRules} decide it, and {@link AvailabilityRouter} keeps the
 * deployments that are cooling down (or failing health checks) away from any router.
 *
 * <p>Thread-safety: shared by every event loop; implementations must be thread-safe and must not block.
 */
public interface Router {

    /**
     * A lease on a deployment of {@code route} for the next attempt, or {@code null} when none is left, every
     * remaining one is cooling down, or none is admitted by its limits.
     *
     * @param tried deployments this call already tried, or {@code null} before the first attempt
     */
    @Nullable Lease acquire(ModelRoute route, @Nullable TriedDeployments tried, RandomGenerator random);

    /**
     * The same, for a call that is streamed or not: strategies that rank deployments by latency rank streams by their
     * time to first token. The default ignores {@code stream}.
     */
    default @Nullable Lease acquire(ModelRoute route, @Nullable TriedDeployments tried, RandomGenerator random,
            boolean stream) {
        return acquire(route, tried, random);
    }

    /**
     * The milliseconds until some deployment of {@code route} could take a call, for the {@code retry-after} of the
     * 429 a call answers when {@link #acquire} found none; 0 when one could now or the router cannot tell.
     */
    default long retryAfterMillis(ModelRoute route) {
        return 0;
    }

    /**
     * The quota of {@code route} this minute for the {@code x-ratelimit-*} headers, or {@code null} when the router
     * keeps no limits for it.
     */
    default @Nullable GroupQuota quota(ModelRoute route) {
        return null;
    }

    /**
     * The quota of one deployment this minute, as {@link #quota(ModelRoute)} for a group of that deployment alone (for
     * the metrics' remaining requests and tokens), or {@code null} when the router keeps no limits for it.
     */
    default @Nullable GroupQuota deploymentQuota(Deployment deployment) {
        return null;
    }

    /**
     * A lease on exactly {@code target} for a health probe, admitted against its deployment's limits as a call is (a
     * probe uses the provider's quota too), or {@code null} when they leave no room now. The default admits.
     */
    default @Nullable Lease acquireProbe(Target target) {
        return target.unlimitedLease();
    }

    /**
     * Queues a call that {@link #acquire} found no deployment for, until one has capacity, if this router lets calls
     * wait ({@code router_settings.wait_for_capacity_timeout}); the waiter is then called back on its executor.
     *
     * @return the call's place in the queue, or {@code null} when it may not wait (waiting is off, the queue is full,
     *     or capacity will not free up within the longest wait): the call answers its 429 now
     */
    default CapacityWaiter.@Nullable Ticket await(ModelRoute route, boolean stream, CapacityWaiter waiter) {
        return null;
    }
}
