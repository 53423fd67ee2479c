package dev.llmproxy.proxy.health;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.config.DeploymentConfig;
import dev.llmproxy.proxy.config.HealthCheckSettings;
import dev.llmproxy.proxy.provider.ProviderAdapter;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.DeploymentStats;
import dev.llmproxy.proxy.route.Lease;
import dev.llmproxy.proxy.route.RouteTable;
import dev.llmproxy.proxy.route.Router;
import dev.llmproxy.proxy.route.RoutingStats;
import dev.llmproxy.proxy.upstream.Upstream;
import io.netty.channel.EventLoop;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Implementation notes.
 *
 * Every round runs on one event loop (a background round on the one start() was given, an on-demand round on the
 * requesting client's, whose upstream pool it uses): it probes every checkable deployment at once and completes when
 * the last probe has. A background round then publishes its report (an immutable snapshot in a
 * volatile field, read by GET /health on any event loop) and sets each deployment's health in RoutingStats, which
 * the router reads on every pick: a deployment that failed leaves rotation, one that passed comes back. Rounds follow
 * each other at the interval, measured from the end of the previous one, so a slow provider never piles rounds up.
 *
 * Which deployments are checked: every model_list entry with a fixed model (a wildcard has none to ask for), a
 * supported provider and a mode llmproxy can send (chat, completion, embedding), unless model_info says
 * disable_background_health_check (background rounds only). A mock_response deployment is healthy without a probe.
 * A probe is admitted against the deployment's limits like a call, since it uses the provider's quota too; when the
 * limits leave no room, the deployment keeps its previous state and is reported with the reason.
 */
/**
 * Health checks of every deployment: background rounds every {@code health_check_interval} when
 * {@code background_health_checks} is on (a failing deployment is taken out of rotation until it passes again), and
 * the report {@code GET /health} answers.
 *
 * <p>Thread-safety: thread-safe; each round runs on one event loop, and the latest report is published through a
 * volatile field.
 */
public final class HealthChecker {
    private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);
    /** LiteLLM's probe timeout unless {@code model_info.health_check_timeout} says otherwise. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final RouteTable routes;
    private final RoutingStats stats;
    private final Router router;
    private final Upstream upstream;
    private final HealthCheckSettings settings;
    private final Clock clock;
    /** The last background round's report; null until one ended. Written on the rounds' loop, read by any. */
    private volatile @Nullable HealthReport latest;
    /** The next background round; written on the rounds' loop, cancelled by stop(). */
    private volatile @Nullable ScheduledFuture<?> next;
    private volatile boolean stopped;

    /**
     * @param router admits each probe against its deployment's limits
     * @param upstream where probes get their connections (the pool of the event loop they run on)
     */
    public HealthChecker(RouteTable routes, RoutingStats stats, Router router, Upstream upstream,
            HealthCheckSettings settings, Clock clock) {
        this.routes = requireNonNull(routes, "routes");
        this.stats = requireNonNull(stats, "stats");
        this.router = requireNonNull(router, "router");
        this.upstream = requireNonNull(upstream, "upstream");
        this.settings = requireNonNull(settings, "settings");
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * Starts the background rounds (the first at once) on {@code loop} when {@code background_health_checks} is on.
     */
    public void start(EventLoop loop) {
        if (settings.background()) {
            next = loop.schedule(() -> backgroundRound(loop), 0, TimeUnit.MILLISECONDS);
        }
    }

    /** Stops the background rounds; probes under way end on their own. */
    public void stop() {
        stopped = true;
        ScheduledFuture<?> scheduled = next;
        if (scheduled != null) {
            scheduled.cancel(false);
        }
    }

    /** Whether background rounds run. */
    public boolean isBackground() {
        return settings.background();
    }

    /** The last background round's report, or null before the first one ended (or without background rounds). */
    public @Nullable HealthReport latest() {
        return latest;
    }

    /**
     * The report {@code GET /health} answers: the last background round's when background checks run and one has
     * ended (as LiteLLM), else the deployments probed now, on {@code caller}'s event loop (its upstream pool), which
     * must be the current thread. Completes on that loop.
     *
     * @param model the model group or {@code litellm_params.model} to report on ({@code ?model=}), or null for all
     */
    public CompletableFuture<HealthReport> report(@Nullable String model, EventLoop caller) {
        HealthReport cached = latest;
        if (settings.background() && cached != null) {
            return CompletableFuture.completedFuture(cached.forModel(model));
        }
        return round(false, model, caller);
    }

    private void backgroundRound(EventLoop loop) {
        if (stopped) {
            return;
        }
        round(true, null, loop).whenComplete((report, failure) -> {
            if (failure != null) {
                log.warn("background health check failed: {}", failure.toString());
            } else {
                publish(report);
            }
            if (!stopped) {
                next = loop.schedule(() -> backgroundRound(loop), settings.interval().toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        });
    }

    private void publish(HealthReport report) {
        for (EndpointHealth endpoint : report.endpoints()) {
            DeploymentStats deployment = stats.of(endpoint.deployment());
            if (deployment.isHealthy() != endpoint.healthy()) {
                log.warn("deployment {} (group {}) {} rotation: {}", endpoint.deployment().id(),
                        endpoint.deployment().modelGroup(), endpoint.healthy() ? "is back in" : "is taken out of",
                        endpoint.healthy() ? "its health check passed" : endpoint.error());
            }
            stats.setHealthy(deployment, endpoint.healthy());
        }
        latest = report;
    }

    /** Probes every checkable deployment (of {@code model} when given) on {@code loop}, the current thread. */
    private CompletableFuture<HealthReport> round(boolean background, @Nullable String model, EventLoop loop) {
        List<CompletableFuture<EndpointHealth>> probes = new ArrayList<>();
        for (Deployment deployment : routes.deployments()) {
            if (model != null && !model.isEmpty() && !deployment.modelGroup().equals(model)
                    && !deployment.config().litellmParams().model().equals(model)) {
                continue;
            }
            CompletableFuture<EndpointHealth> probe;
            try {
                probe = probe(deployment, background, loop);
            } catch (RuntimeException e) {
                log.warn("health check of deployment {} could not start: {}", deployment.id(), e.toString());
                probe = CompletableFuture.completedFuture(new EndpointHealth(deployment,
                        String.valueOf(deployment.config().modelInfo().other().getOrDefault("mode", "chat")), false,
                        "the health check could not start"));
            }
            if (probe != null) {
                probes.add(probe);
            }
        }
        return CompletableFuture.allOf(probes.toArray(new CompletableFuture<?>[0]))
                .thenApply(ignored -> new HealthReport(probes.stream().map(CompletableFuture::join).toList(),
                        clock.millis()));
    }

    /** The probe of {@code deployment}, or null when it is not checked. */
    private @Nullable CompletableFuture<EndpointHealth> probe(Deployment deployment, boolean background,
            EventLoop loop) {
        DeploymentConfig config = deployment.config();
        ProbeMode mode = ProbeMode.of(config);
        if (deployment.isWildcard() || mode == null || (background && isOptedOut(config))) {
            return null;
        }
        if (deployment.isMock()) {
            return CompletableFuture.completedFuture(new EndpointHealth(deployment, mode.configName(), true, null));
        }
        ProviderAdapter adapter = deployment.adapter();
        if (adapter == null) {
            return CompletableFuture.completedFuture(new EndpointHealth(deployment, mode.configName(), false,
                    "provider " + deployment.provider().name() + " is not supported by this llmproxy version"));
        }
        Lease lease = router.acquireProbe(deployment.target());
        if (lease == null) {
            boolean healthy = stats.of(deployment).isHealthy();
            return CompletableFuture.completedFuture(new EndpointHealth(deployment, mode.configName(), healthy,
                    healthy ? null : "not probed: the deployment is at its rpm/rpd limits"));
        }
        return HealthProbe.start(loop, upstream, lease, adapter, mode, timeoutMillis(config));
    }

    private static boolean isOptedOut(DeploymentConfig config) {
        Object value = config.modelInfo().other().get("disable_background_health_check");
        return Boolean.TRUE.equals(value) || "true".equalsIgnoreCase(String.valueOf(value));
    }

    private static long timeoutMillis(DeploymentConfig config) {
        Object value = config.modelInfo().other().get("health_check_timeout");
        if (value instanceof Number seconds && seconds.doubleValue() > 0) {
            return Math.max(1, (long) (seconds.doubleValue() * 1000));
        }
        return DEFAULT_TIMEOUT.toMillis();
    }
}
