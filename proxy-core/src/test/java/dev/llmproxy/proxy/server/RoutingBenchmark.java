package dev.llmproxy.proxy.server;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.auth.MasterKeyAuthenticator;
import dev.llmproxy.proxy.config.ConfigLoader;
import dev.llmproxy.proxy.config.ProxyConfig;
import dev.llmproxy.proxy.route.GroupQuota;
import dev.llmproxy.proxy.route.Lease;
import dev.llmproxy.proxy.route.ModelRoute;
import dev.llmproxy.proxy.route.RouteTable;
import dev.llmproxy.proxy.route.Router;
import dev.llmproxy.proxy.route.RetryRules;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What routing costs one call, through the router stack the server builds ({@link ServerComponents}: availability
 * over the limiting router, simple-shuffle): the group resolved, a deployment acquired, the group's quota read for the
 * {@code x-ratelimit-*} headers, the success counted for cooldowns and the lease released with the call's usage. The
 * three setups are the bench's FEATURES routing points: one deployment without limits ({@code single}), one with rpm
 * and tpm that never bite ({@code single-limits}) and a group of four with those limits ({@code group4}).
 *
 * <p>Run like {@code LitellmMetricsBenchmark}:
 * {@code java -cp <test classpath> org.openjdk.jmh.Main RoutingBenchmark -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RoutingBenchmark {
    private static final String LIMITS = ", rpm: 100000000, tpm: 100000000000";

    @Param({"single", "single-limits", "group4"})
    public String setup;

    private RouteTable routes;
    private Router router;
    private RetryRules retryRules;
    private final SplittableRandom random = new SplittableRandom(7);
    private final Usage usage = new Usage(20, 30, 50);

    @Setup
    public void setUp() throws IOException {
        StringBuilder yaml = new StringBuilder("model_list:\n");
        int deployments = "group4".equals(setup) ? 4 : 1;
        String limits = "single".equals(setup) ? "" : LIMITS;
        for (int i = 0; i < deployments; i++) {
            yaml.append("  - model_name: m\n")
                    .append("    litellm_params: {model: openai/mock-model, api_key: sk-1,")
                    .append(" api_base: \"http://127.0.0.1:9/v1\"").append(limits).append("}\n")
                    .append("    model_info: {id: d").append(i).append("}\n");
        }
        Path dir = Files.createTempDirectory("routing-bench");
        Files.writeString(dir.resolve("config.yaml"), yaml, StandardCharsets.UTF_8);
        ProxyConfig config = ConfigLoader.load(dir.resolve("config.yaml"), Map.of());
        routes = RouteTable.build(config);
        ServerSettings settings = new ServerSettings("127.0.0.1", 0, 1, 1 << 20, 8192, Duration.ZERO,
                ClientTimeouts.of(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5)));
        ServerComponents components = ServerComponents.builder(settings, routes, new MasterKeyAuthenticator(null))
                .reliability(config.reliability())
                .routerSettings(config.routerSettings())
                .build();
        router = components.router();
        retryRules = components.retryRules();
    }

    @Benchmark
    public long routeOneCall() {
        ModelRoute route = Objects.requireNonNull(routes.resolve("m"));
        Lease lease = Objects.requireNonNull(router.acquire(route, null, random, false));
        GroupQuota quota = router.quota(route);
        retryRules.cooldowns().onSuccess(lease.target().deployment(), 0);
        lease.release(200, usage);
        return quota == null ? 0 : quota.remainingRequests();
    }
}
