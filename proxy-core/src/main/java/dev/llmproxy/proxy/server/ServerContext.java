package dev.llmproxy.proxy.server;

import dev.llmproxy.proxy.auth.Authenticator;
import dev.llmproxy.proxy.auth.EndUsers;
import dev.llmproxy.proxy.call.CallListener;
import dev.llmproxy.proxy.call.CallListeners;
import dev.llmproxy.proxy.call.CallServices;
import dev.llmproxy.proxy.files.BatchUsage;
import dev.llmproxy.proxy.files.FilesApi;
import dev.llmproxy.proxy.health.HealthChecker;
import dev.llmproxy.proxy.management.ManagementApi;
import dev.llmproxy.proxy.metrics.LitellmMetrics;
import dev.llmproxy.proxy.passthrough.PassThroughRoutes;
import dev.llmproxy.proxy.trace.CallTracer;
import dev.llmproxy.proxy.route.RouteTable;
import dev.llmproxy.proxy.upstream.Upstream;
import io.netty.channel.group.ChannelGroup;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * What every connection handler shares at run time: the components, turned into what calls need, and the few
 * counters a graceful stop needs.
 *
 * <p>Thread-safety: the tables are immutable after construction; {@link #activeCalls} is atomic; {@link #draining}
 * is written once by the stopping thread and read by the event loops.
 */
final class ServerContext {
    final ServerSettings settings;
    final RouteTable routes;
    final Authenticator authenticator;
    final CallListener listener;
    final CallServices calls;
    final LongSupplier ticker;
    final BuiltInResponses builtIns;
    final ChannelGroup channels;
    final @Nullable LitellmMetrics metrics;
    final @Nullable CallTracer tracer;
    /** The management routes, or null when virtual keys are off. */
    final @Nullable ManagementApi management;
    /** The end users (customers) a model call's {@code user} is checked against. */
    final EndUsers endUsers;
    /** Where bridged Responses API answers are kept, or null without a store. */
    final @Nullable BridgedResponses bridgedResponses;
    /** Wall time, for key admissions (their limit windows are calendar minutes). */
    final Clock clock;
    /** Probes deployments for {@code /health} and, when configured, in the background. */
    final HealthChecker health;
    /** Which browser origins may call. */
    final CorsPolicy cors;
    /** Who a request's client is and which clients may call. */
    final ClientIpPolicy clientIps;
    /** {@code /v1/files} and {@code /v1/batches}. */
    final FilesApi files;
    /** Request body bytes held in memory, server-wide. */
    final RequestBudget requestBudget;
    /** The pass-through routes, asked about by every request head. */
    final PassThroughRoutes passThrough;
    final AtomicInteger activeCalls = new AtomicInteger();
    private volatile boolean draining;

    ServerContext(ServerComponents components, Upstream upstream, ChannelGroup channels) {
        this.settings = components.settings();
        this.routes = components.routes();
        this.authenticator = components.authenticator();
        this.listener = CallListeners.of(components.listeners());
        this.ticker = components.ticker();
        this.calls = new CallServices(components.ticker(), components.clock(), components.random(),
                components.router(), upstream, listener, components.clientWriteTimeout().toNanos(),
                components.retryRules(), components.callsInFlight(), components.tracer() != null,
                components.costs());
        this.channels = channels;
        // The spend listener, when there is one, also charges the batches whose output is downloaded.
        BatchUsage.Listener batchUsage = components.listeners().stream()
                .filter(BatchUsage.Listener.class::isInstance).map(BatchUsage.Listener.class::cast)
                .findFirst().orElse(null);
        this.files = new FilesApi(routes, calls, batchUsage);
        this.health = new HealthChecker(routes, components.routingStats(), components.router(), upstream,
                components.healthChecks(), components.clock());
        this.builtIns = new BuiltInResponses(routes, components.routerSettings(), components.routingStats());
        this.metrics = components.metrics();
        this.tracer = components.tracer();
        this.management = components.management();
        this.endUsers = components.endUsers();
        this.bridgedResponses = components.bridgedResponses();
        this.clock = components.clock();
        this.cors = components.cors();
        this.clientIps = new ClientIpPolicy(components.clientIps());
        long bufferBytes = components.requestBufferBytes();
        this.requestBudget = new RequestBudget(bufferBytes > 0 ? bufferBytes : RequestBudget.defaultLimitBytes());
        this.passThrough = components.passThrough();
    }

    boolean isDraining() {
        return draining;
    }

    void startDraining() {
        draining = true;
    }
}
