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
}
