package dev.llmproxy.proxy.route;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The {@link DeploymentStats} of every {@code model_list} entry of a route table, found by the entry's index (an array
 * read) or its id. Routers read them to pick, the health checker and the latency feed write them.
 *
 * <p>Thread-safety: the table is immutable after construction; the stats are thread-safe.
 */
public final class RoutingStats {
    private final DeploymentStats[] byIndex;
    private final Map<String, DeploymentStats> byId;
    private final List<DeploymentStats> all;
    private final LongSupplier clockMillis;
    /** Whether some deployment was ever marked unhealthy; written by the health checker, read by every event loop. */
    private volatile boolean healthChecked;

    /**
     * Stats for the deployments of {@code routes}, all healthy.
     *
     * @param clockMillis the wall clock in epoch milliseconds (minutes of usage, ages of latency samples)
     * @throws dev.llmproxy.proxy.config.ConfigException when a deployment's configured price is not a number >= 0
     */
    public RoutingStats(RouteTable routes, LongSupplier clockMillis) {
        this(routes.deployments(), clockMillis);
    }

    RoutingStats(List<Deployment> deployments, LongSupplier clockMillis) {
        this.clockMillis = requireNonNull(clockMillis, "clockMillis");
        int size = 0;
        for (Deployment deployment : deployments) {
            size = Math.max(size, deployment.config().index() + 1);
        }
        this.byIndex = new DeploymentStats[size];
        Map<String, DeploymentStats> ids = new HashMap<>();
        List<DeploymentStats> list = new ArrayList<>();
        for (Deployment deployment : deployments) {
            int index = deployment.config().index();
            if (byIndex[index] == null) {
                DeploymentStats stats = new DeploymentStats(deployment.config());
                byIndex[index] = stats;
                ids.put(deployment.id(), stats);
                list.add(stats);
            }
        }
        this.byId = Map.copyOf(ids);
        this.all = Collections.unmodifiableList(list);
    }

    /**
     * The stats of {@code deployment}'s entry; a deployment this table was not built for (a test's own route) gets
     * fresh stats that nothing else sees.
     */
    public DeploymentStats of(Deployment deployment) {
        int index = deployment.config().index();
        DeploymentStats stats = index < byIndex.length ? byIndex[index] : null;
        return stats != null && stats.config() == deployment.config()
                ? stats
                : new DeploymentStats(deployment.config());
    }

    /** The stats of the entry with {@code id}, or null. */
    public @Nullable DeploymentStats byId(String id) {
        return byId.get(id);
    }

    /** Every entry's stats in config order. */
    public List<DeploymentStats> all() {
        return all;
    }

    /** Takes {@code stats}' deployment out of rotation ({@code false}) or puts it back. */
    public void setHealthy(DeploymentStats stats, boolean healthy) {
        if (!healthy) {
            healthChecked = true;
        }
        stats.setHealthy(healthy);
    }

    /**
     * Marks the targets of {@code route} that are out of rotation: bit {@code i} of the answer for target {@code i <
     * 64}, {@code above64[i - 64]} for the others. Nothing is marked when no untried target is healthy (a group whose
     * every deployment failed its check is still served: better a call that may fail than none).
     */
    long unhealthy(ModelRoute route, @Nullable TriedDeployments tried, boolean @Nullable [] above64) {
        if (!healthChecked) {
            return 0;
        }
        boolean anyHealthy = false;
        for (int i = 0; i < route.size() && !anyHealthy; i++) {
            Deployment deployment = route.target(i).deployment();
            anyHealthy = of(deployment).isHealthy() && (tried == null || !tried.contains(deployment));
        }
        if (!anyHealthy) {
            return 0;
        }
        long mask = 0;
        for (int i = 0; i < route.size(); i++) {
            if (!of(route.target(i).deployment()).isHealthy()) {
                if (i < 64) {
                    mask |= 1L << i;
                } else if (above64 != null) {
                    above64[i - 64] = true;
                }
            }
        }
        return mask;
    }

    /** Whether some deployment was ever taken out of rotation (until then no pick needs to look). */
    boolean isHealthChecked() {
        return healthChecked;
    }

    long nowMillis() {
        return clockMillis.getAsLong();
    }
}
