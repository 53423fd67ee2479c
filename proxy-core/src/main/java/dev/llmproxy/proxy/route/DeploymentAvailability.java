package dev.llmproxy.proxy.route;

/**
 * Whether a deployment may be routed to now. {@link Cooldowns} is one source (deployments that failed too often); a
 * health checker is another; {@link AvailabilityRouter} hides whatever they rule out from the router it wraps.
 *
 * <p>Thread-safety: implementations are thread-safe and never block; they are asked on every attempt.
 */
@FunctionalInterface
public interface DeploymentAvailability {

    /** Every deployment is available. */
    DeploymentAvailability ALWAYS = (deployment, nowNanos) -> 0;

    /**
     * 0 when {@code deployment} may take calls at ticker time {@code nowNanos}; otherwise the nanoseconds until it may
     * again, {@link Long#MAX_VALUE} when that is unknown (it waits for a health check to pass).
     */
    long unavailableNanos(Deployment deployment, long nowNanos);

    /** Whether {@code deployment} may take calls at {@code nowNanos}. */
    default boolean isAvailable(Deployment deployment, long nowNanos) {
        return unavailableNanos(deployment, nowNanos) == 0;
    }

    /** Available only when both this and {@code other} say so; unavailable for the longer of their two waits. */
    default DeploymentAvailability and(DeploymentAvailability other) {
        return (deployment, nowNanos) ->
                Math.max(unavailableNanos(deployment, nowNanos), other.unavailableNanos(deployment, nowNanos));
    }
}
