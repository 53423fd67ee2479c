package dev.llmproxy.proxy.server;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.limiter.LocalLimitStore;
import dev.llmproxy.proxy.auth.Authenticator;
import dev.llmproxy.proxy.auth.EndUsers;
import dev.llmproxy.proxy.call.CallListener;
import dev.llmproxy.proxy.call.CallsInFlight;
import dev.llmproxy.proxy.config.CapacityWait;
import dev.llmproxy.proxy.config.ClientIpSettings;
import dev.llmproxy.proxy.config.HealthCheckSettings;
import dev.llmproxy.proxy.config.ReliabilitySettings;
import dev.llmproxy.proxy.config.RouterSettings;
import dev.llmproxy.proxy.config.RoutingStrategy;
import dev.llmproxy.proxy.management.ManagementApi;
import dev.llmproxy.proxy.metrics.LitellmMetrics;
import dev.llmproxy.proxy.metrics.MetricsSettings;
import dev.llmproxy.proxy.route.AvailabilityRouter;
import dev.llmproxy.proxy.route.Cooldowns;
import dev.llmproxy.proxy.route.DeploymentAvailability;
import dev.llmproxy.proxy.route.LimitingRouter;
import dev.llmproxy.proxy.route.RetryRules;
import dev.llmproxy.proxy.route.RouteTable;
import dev.llmproxy.proxy.route.Router;
import dev.llmproxy.proxy.trace.CallTracer;
import dev.llmproxy.proxy.trace.LostRecords;
import dev.llmproxy.proxy.trace.TraceSettings;
import dev.llmproxy.proxy.route.RoutingStats;
import dev.llmproxy.proxy.route.WaitingRouter;
import dev.llmproxy.proxy.spend.CallCosts;
import dev.llmproxy.proxy.spend.PriceTable;
import dev.llmproxy.proxy.upstream.ForwardProxy;
import dev.llmproxy.proxy.upstream.Upstream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import dev.llmproxy.proxy.config.PassThroughEndpoint;
import dev.llmproxy.proxy.passthrough.PassThroughRoutes;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Everything a {@link ProxyServer} is assembled from: the composition root. The CLI builds one from the config; tests
 * build one with fake time, a seeded random source, an in-memory upstream or a test router. Features plug in here
 * (the limiter through the router, the store through the authenticator and a listener).
 *
 * <p>Thread-safety: the builder is for one thread; the built object is immutable.
 */
public final class ServerComponents {
    /** nginx's {@code send_timeout}: a client that reads nothing of a response for a minute is gone. */
    static final Duration DEFAULT_CLIENT_WRITE_TIMEOUT = Duration.ofSeconds(60);

    private final ServerSettings settings;
    private final RouteTable routes;
    private final Authenticator authenticator;
    private final List<CallListener> listeners;
    private final Router router;
    private final RetryRules retryRules;
    private final @Nullable CallsInFlight callsInFlight;
    private final LongSupplier ticker;
    private final Clock clock;
    private final Supplier<RandomGenerator> random;
    private final ForwardProxy forwardProxy;
    private final Transport transport;
    private final @Nullable Upstream upstream;
    private final long requestBufferBytes;
    private final CorsPolicy cors;
    private final ClientIpSettings clientIps;
    private final Duration clientWriteTimeout;
    private final @Nullable LitellmMetrics metrics;
    private final @Nullable CallTracer tracer;
    private final @Nullable ManagementApi management;
    private final EndUsers endUsers;
    private final @Nullable BridgedResponses bridgedResponses;
    private final RouterSettings routerSettings;
    private final HealthCheckSettings healthChecks;
    private final RoutingStats routingStats;
    private final PassThroughRoutes passThrough;
    private final CallCosts costs;

    private ServerComponents(Builder builder) {
        this.settings = requireNonNull(builder.settings, "settings");
        this.routes = requireNonNull(builder.routes, "routes");
        this.authenticator = requireNonNull(builder.authenticator, "authenticator");
        this.costs = new CallCosts(routes, builder.prices != null ? builder.prices : PriceTable.bundled());
        this.metrics = builder.metrics == null ? null : new LitellmMetrics(routes, builder.metrics, costs,
                builder.clock);
        this.ticker = builder.ticker;
        this.clock = builder.clock;
        this.routerSettings = builder.routerSettings;
        this.healthChecks = builder.healthChecks;
        this.routingStats = new RoutingStats(routes, builder.clock::millis);
        List<CallListener> all = new ArrayList<>(builder.listeners);
        if (metrics != null) {
            all.add(0, metrics.listener());
        }
        LitellmMetrics counted = metrics;
        this.tracer = builder.tracing == null || builder.tracing.destinations().isEmpty()
                ? null
                : CallTracer.start(builder.tracing, routes, builder.ticker, builder.clock,
                        counted != null ? counted::countCallbackFailures : LostRecords.NONE);
        if (tracer != null) {
            all.add(tracer);
        }
        if (routerSettings.routingStrategy() == RoutingStrategy.LATENCY_BASED_ROUTING) {
            all.add(new LatencyFeed(routingStats, builder.clock));
        }
        this.listeners = List.copyOf(all);
        Cooldowns cooldowns = new Cooldowns(routes.deployments(), builder.reliability,
                counted != null ? counted.cooldownListener() : Cooldowns.CooldownListener.NONE);
        DeploymentAvailability availability = cooldowns.and(builder.availability);
        this.retryRules = new RetryRules(routes, builder.reliability, cooldowns, availability);
        Router chosen = builder.router != null ? builder.router
                : new LimitingRouter(routes, LocalLimitStore.INSTANCE, builder.clock::millis,
                        routerSettings.routingStrategy(), routerSettings.strategyArgs(), routingStats);
        // Cooling deployments are hidden below the wait for capacity, so that a waiting call is never granted one.
        Router available = new AvailabilityRouter(chosen, availability, builder.ticker);
        CapacityWait wait = routerSettings.capacityWait();
        this.router = wait == null ? available : new WaitingRouter(available, wait, builder.random);
        if (metrics != null) {
            metrics.watch(router);
        }
        Long global = builder.reliability.globalMaxParallelRequests();
        this.callsInFlight = global == null ? null : new CallsInFlight(global);
        this.random = builder.random;
        this.forwardProxy = builder.forwardProxy;
        this.transport = builder.transport != null ? builder.transport : Transport.best();
        this.upstream = builder.upstream;
        this.requestBufferBytes = builder.requestBufferBytes;
        this.cors = builder.cors;
        this.clientIps = builder.clientIps;
        this.clientWriteTimeout = builder.clientWriteTimeout;
        this.management = builder.management;
        this.endUsers = builder.endUsers;
        this.bridgedResponses = builder.bridgedResponses;
        this.passThrough = PassThroughRoutes.of(builder.passThroughEndpoints, routes,
                builder.passThroughEnvironment);
    }

    /** A builder for a server with {@code settings}, {@code routes} and {@code authenticator}. */
    public static Builder builder(ServerSettings settings, RouteTable routes, Authenticator authenticator) {
        return new Builder(settings, routes, authenticator);
    }

    /** Where to listen and what to accept. */
    public ServerSettings settings() {
        return settings;
    }

    /** The model routing table. */
    public RouteTable routes() {
        return routes;
    }

    /** Who may call. */
    public Authenticator authenticator() {
        return authenticator;
    }

    /** Receive one record per request, in order (the metrics' listener first, when metrics are on). */
    public List<CallListener> listeners() {
        return listeners;
    }

    /** Picks each attempt's deployment; never one that is cooling down. */
    public Router router() {
        return router;
    }

    /** Retries, fallbacks and cooldowns. */
    public RetryRules retryRules() {
        return retryRules;
    }

    /** {@code global_max_parallel_requests}, or null when there is none. */
    public @Nullable CallsInFlight callsInFlight() {
        return callsInFlight;
    }

    /** The routing settings the router was built from. */
    public RouterSettings routerSettings() {
        return routerSettings;
    }

    /** When deployments are probed in the background. */
    public HealthCheckSettings healthChecks() {
        return healthChecks;
    }

    /** Live figures and health of every deployment, shared by the router and the health checker. */
    public RoutingStats routingStats() {
        return routingStats;
    }

    /** Monotonic time in nanoseconds. */
    public LongSupplier ticker() {
        return ticker;
    }

    /** Wall time. */
    public Clock clock() {
        return clock;
    }

    /** The random source of the calling event loop. */
    public Supplier<RandomGenerator> random() {
        return random;
    }

    /** The forward proxy for upstream connections. */
    public ForwardProxy forwardProxy() {
        return forwardProxy;
    }

    /** Epoll or NIO. */
    public Transport transport() {
        return transport;
    }

    /** The upstream connections to use instead of the server's own pools (tests), or {@code null}. */
    public @Nullable Upstream upstream() {
        return upstream;
    }

    /**
     * The most request body bytes held in memory at once across all connections (503 beyond), or 0 for the default:
     * half of the direct memory Netty may use.
     */
    public long requestBufferBytes() {
        return requestBufferBytes;
    }

    /** Which browser origins may call (CORS). */
    public CorsPolicy cors() {
        return cors;
    }

    /** Who a request's client is and which clients may call. */
    public ClientIpSettings clientIps() {
        return clientIps;
    }

    /** How long a client may leave a response unread before its connection is closed. */
    public Duration clientWriteTimeout() {
        return clientWriteTimeout;
    }

    /** The Prometheus metrics served on {@code /metrics}, or {@code null} when they are off. */
    public @Nullable LitellmMetrics metrics() {
        return metrics;
    }

    /** The management routes ({@code /key/...}), or {@code null} when virtual keys are off. */
    public @Nullable ManagementApi management() {
        return management;
    }

    /** The end users (customers) a model call's {@code user} is checked against. */
    public EndUsers endUsers() {
        return endUsers;
    }

    /** What calls cost: their answers' {@code x-litellm-response-cost} and the metrics' spend. */
    public CallCosts costs() {
        return costs;
    }

    /** The pass-through routes: the configured ones and the providers' prefixes. */
    PassThroughRoutes passThrough() {
        return passThrough;
    }

    /** Where bridged Responses API answers are kept, or {@code null} without a store. */
    public @Nullable BridgedResponses bridgedResponses() {
        return bridgedResponses;
    }

    /**
     * The trace exporter (also among {@link #listeners()}), or {@code null} when no trace callback is configured;
     * the server closes it when it stops.
     */
    public @Nullable CallTracer tracer() {
        return tracer;
    }

    /**
     * Builds {@link ServerComponents}; defaults: no listeners, a {@link LimitingRouter} over the routes' limits with
     * the routing strategy of {@link #routerSettings} (on the components' clock, limits kept in this process), system
     * time, thread-local random, no metrics, no background health checks.
     */
    public static final class Builder {
        private final ServerSettings settings;
        private final RouteTable routes;
        private final Authenticator authenticator;
        private final List<CallListener> listeners = new ArrayList<>();
        private @Nullable Router router;
        private ReliabilitySettings reliability = ReliabilitySettings.DEFAULTS;
        private DeploymentAvailability availability = DeploymentAvailability.ALWAYS;
        private LongSupplier ticker = System::nanoTime;
        private Clock clock = Clock.systemUTC();
        private Supplier<RandomGenerator> random = ThreadLocalRandom::current;
        private ForwardProxy forwardProxy = ForwardProxy.NONE;
        private @Nullable Transport transport;
        private @Nullable Upstream upstream;
        private long requestBufferBytes;
        private CorsPolicy cors = CorsPolicy.ANY_ORIGIN;
        private ClientIpSettings clientIps = ClientIpSettings.DEFAULTS;
        private Duration clientWriteTimeout = DEFAULT_CLIENT_WRITE_TIMEOUT;
        private @Nullable MetricsSettings metrics;
        private @Nullable PriceTable prices;
        private @Nullable TraceSettings tracing;
        private @Nullable ManagementApi management;
        private EndUsers endUsers = EndUsers.NONE;
        private @Nullable BridgedResponses bridgedResponses;
        private RouterSettings routerSettings = RouterSettings.DEFAULTS;
        private HealthCheckSettings healthChecks = HealthCheckSettings.DEFAULTS;
        private List<PassThroughEndpoint> passThroughEndpoints = List.of();
        private Map<String, String> passThroughEnvironment = Map.of();

        private Builder(ServerSettings settings, RouteTable routes, Authenticator authenticator) {
            this.settings = requireNonNull(settings, "settings");
            this.routes = requireNonNull(routes, "routes");
            this.authenticator = requireNonNull(authenticator, "authenticator");
        }

        /** Adds a listener; each request's record goes to every listener, in the order added. */
        public Builder listener(CallListener listener) {
            listeners.add(requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Retries, fallbacks, cooldowns and the proxy-wide parallel limit (default: LiteLLM's defaults, see
         * {@link ReliabilitySettings#DEFAULTS}); {@code ProxyConfig.reliability()} for a loaded config.
         */
        public Builder reliability(ReliabilitySettings reliability) {
            this.reliability = requireNonNull(reliability, "reliability");
            return this;
        }

        /**
         * Which deployments may take calls besides those the cooldowns allow (default: all), e.g. the results of
         * health checks; the router never sees the others, and a group with none left goes to its fallbacks.
         */
        public Builder availability(DeploymentAvailability availability) {
            this.availability = requireNonNull(availability, "availability");
            return this;
        }

        /**
         * The router that picks deployments (default a {@link LimitingRouter} built from the routes and the clock);
         * it is wrapped so that it never sees a deployment that is cooling down.
         */
        public Builder router(Router router) {
            this.router = requireNonNull(router, "router");
            return this;
        }

        /** Monotonic time in nanoseconds (default {@link System#nanoTime()}). */
        public Builder ticker(LongSupplier ticker) {
            this.ticker = requireNonNull(ticker, "ticker");
            return this;
        }

        /** Wall time (default UTC system clock). */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /** The random source (default the calling thread's {@link ThreadLocalRandom}). */
        public Builder random(Supplier<RandomGenerator> random) {
            this.random = requireNonNull(random, "random");
            return this;
        }

        /** The forward proxy for upstream connections (default none). */
        public Builder forwardProxy(ForwardProxy forwardProxy) {
            this.forwardProxy = requireNonNull(forwardProxy, "forwardProxy");
            return this;
        }

        /** The transport (default {@link Transport#best()}). */
        public Builder transport(Transport transport) {
            this.transport = requireNonNull(transport, "transport");
            return this;
        }

        /** Upstream connections from elsewhere than the server's own pools (tests). */
        public Builder upstream(Upstream upstream) {
            this.upstream = requireNonNull(upstream, "upstream");
            return this;
        }

        /**
         * The most request body bytes held in memory at once across all connections; 0 (the default) for half of
         * the direct memory Netty may use ({@code -XX:MaxDirectMemorySize}).
         */
        public Builder requestBufferBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("requestBufferBytes: " + bytes + " (expected: >= 0)");
            }
            this.requestBufferBytes = bytes;
            return this;
        }

        /** Which browser origins may call (default: any, as LiteLLM). */
        public Builder cors(CorsPolicy cors) {
            this.cors = requireNonNull(cors, "cors");
            return this;
        }

        /** Who a request's client is and which clients may call (default: the peer, every client). */
        public Builder clientIps(ClientIpSettings clientIps) {
            this.clientIps = requireNonNull(clientIps, "clientIps");
            return this;
        }

        /** How long a client may leave a response unread (default 60 s, nginx's {@code send_timeout}). */
        public Builder clientWriteTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("clientWriteTimeout: " + timeout + " (expected: > 0)");
            }
            this.clientWriteTimeout = timeout;
            return this;
        }

        /** Turns on the Prometheus metrics and {@code /metrics} (default off), for the routes of this builder. */
        public Builder metrics(MetricsSettings settings) {
            this.metrics = requireNonNull(settings, "settings");
            return this;
        }

        /**
         * The model prices of the answers' {@code x-litellm-response-cost} and the metrics' spend counter (default:
         * the bundled table); the spend listener's table, so that the header and the spend records agree.
         */
        public Builder prices(PriceTable table) {
            this.prices = requireNonNull(table, "table");
            return this;
        }

        /** Serves the management routes ({@code /key/...}) with {@code api} (default: off, answered 400). */
        public Builder management(ManagementApi api) {
            this.management = requireNonNull(api, "api");
            return this;
        }

        /** Checks each model call's end user with {@code endUsers} (default: none is checked). */
        public Builder endUsers(EndUsers endUsers) {
            this.endUsers = requireNonNull(endUsers, "endUsers");
            return this;
        }

        /**
         * Keeps bridged Responses API answers in {@code responses}, for {@code previous_response_id} and
         * {@code /v1/responses/{id}} (default: none, such requests are answered 400 and 404).
         */
        public Builder bridgedResponses(BridgedResponses responses) {
            this.bridgedResponses = requireNonNull(responses, "responses");
            return this;
        }

        /**
         * Turns on trace export to the destinations of {@code settings} (default off); lost records are counted in
         * the metrics when they are on.
         */
        public Builder tracing(TraceSettings settings) {
            this.tracing = requireNonNull(settings, "settings");
            return this;
        }

        /**
         * The routing strategy, its arguments and the wait for capacity of {@code router_settings} (default
         * simple-shuffle, no waiting); applies to the default router, and the wait to any router.
         */
        public Builder routerSettings(RouterSettings settings) {
            this.routerSettings = requireNonNull(settings, "settings");
            return this;
        }

        /** {@code general_settings.pass_through_endpoints} (default none; the providers' prefixes are always on). */
        public Builder passThroughEndpoints(List<PassThroughEndpoint> endpoints) {
            return passThroughEndpoints(endpoints, Map.of());
        }

        /**
         * {@code general_settings.pass_through_endpoints}, and the environment whose provider keys serve a provider
         * prefix that no deployment serves ({@code ANTHROPIC_API_KEY}, ...), as LiteLLM's do.
         */
        public Builder passThroughEndpoints(List<PassThroughEndpoint> endpoints, Map<String, String> environment) {
            this.passThroughEndpoints = List.copyOf(endpoints);
            this.passThroughEnvironment = Map.copyOf(environment);
            return this;
        }

        /** Background health checks (default off: deployments are probed only when {@code /health} is asked). */
        public Builder healthChecks(HealthCheckSettings settings) {
            this.healthChecks = requireNonNull(settings, "settings");
            return this;
        }

        /**
         * The components.
         *
         * @throws dev.llmproxy.proxy.config.ConfigException when the routes' limits or prices cannot be used
         */
        public ServerComponents build() {
            return new ServerComponents(this);
        }
    }
}
