package dev.llmproxy.proxy.server;

import dev.llmproxy.proxy.auth.Authenticator;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.RouteTable;
import dev.llmproxy.proxy.upstream.UpstreamClient;
import io.netty.channel.group.ChannelGroup;
import java.time.Clock;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * What every connection handler shares: configuration turned into lookup tables at start-up, the upstream client,
 * and the few counters a graceful stop needs.
 *
 * <p>Thread-safety: the tables are immutable after construction; {@link #activeCalls} is atomic; {@link #draining}
 * is written once by the stopping thread and read by the event loops.
 */
final class ServerContext {
    final ServerSettings settings;
    final RouteTable routes;
    final UpstreamClient upstream;
    final Authenticator authenticator;
    final CallListener listener;
    final LongSupplier ticker;
    final Clock clock;
    final BuiltInResponses builtIns;
    final ChannelGroup channels;
    final AtomicInteger activeCalls = new AtomicInteger();
    private final Map<Deployment, UpstreamRoute> upstreamRoutes;
    private volatile boolean draining;

    ServerContext(
            ServerSettings settings,
            RouteTable routes,
            UpstreamClient upstream,
            Authenticator authenticator,
            CallListener listener,
            LongSupplier ticker,
            Clock clock,
            ChannelGroup channels) {
        this.settings = settings;
        this.routes = routes;
        this.upstream = upstream;
        this.authenticator = authenticator;
        this.listener = listener;
        this.ticker = ticker;
        this.clock = clock;
        this.channels = channels;
        this.builtIns = new BuiltInResponses(routes);
        Map<Deployment, UpstreamRoute> byDeployment = new IdentityHashMap<>();
        for (Deployment deployment : routes.deployments()) {
            UpstreamRoute route = UpstreamRoute.of(deployment);
            byDeployment.put(deployment, route);
            if (route.origin() != null && route.origin().secure()) {
                upstream.connector().prepare(route.origin().tls());
            }
        }
        this.upstreamRoutes = byDeployment;
    }

    UpstreamRoute upstreamRoute(Deployment deployment) {
        return upstreamRoutes.get(deployment);
    }

    boolean isDraining() {
        return draining;
    }

    void startDraining() {
        draining = true;
    }
}
