package dev.llmproxy.proxy.route;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.limiter.LocalLimitStore;
import dev.llmproxy.proxy.config.ConfigLoader;
import dev.llmproxy.proxy.config.RoutingStrategy;
import dev.llmproxy.proxy.config.RoutingStrategyArgs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What each routing strategy costs per request: one acquire and one release on a group of 4 deployments, each with
 * an {@code rpm} limit too high to bite (so the limiter's admission is included), latency samples recorded for
 * latency-based routing.
 *
 * <p>Lives in proxy-core's tests because bench cannot depend on proxy-core. Run after {@code mvn -pl proxy-core -am
 * test-compile} with the test class path:
 * {@code java -cp <test classpath> org.openjdk.jmh.Main RoutingStrategyBenchmark -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RoutingStrategyBenchmark {

    @Param({"simple-shuffle", "least-busy", "usage-based-routing-v2", "latency-based-routing", "cost-based-routing"})
    public String strategy;

    private final SplittableRandom random = new SplittableRandom(1);
    private final Usage usage = Usage.of(100, 20);
    private Router router;
    private ModelRoute route;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Path file = Files.createTempFile("routing-bench", ".yaml");
        StringBuilder yaml = new StringBuilder("model_list:\n");
        for (int i = 0; i < 4; i++) {
            yaml.append("  - {model_name: g, litellm_params: {model: openai/m").append(i)
                    .append(", rpm: 1000000000, input_cost_per_token: 0.00000").append(i + 1)
                    .append("}, model_info: {id: d").append(i).append("}}\n");
        }
        Files.writeString(file, yaml);
        RouteTable table = RouteTable.build(ConfigLoader.load(file, Map.of()));
        Files.delete(file);
        RoutingStats stats = new RoutingStats(table, System::currentTimeMillis);
        for (DeploymentStats deployment : stats.all()) {
            deployment.recordLatency(random.nextLong(1_000, 100_000), -1, System.currentTimeMillis());
        }
        router = new LimitingRouter(table, LocalLimitStore.INSTANCE, System::currentTimeMillis,
                RoutingStrategy.fromConfigName(strategy), RoutingStrategyArgs.DEFAULTS, stats);
        route = table.resolve("g");
    }

    @Benchmark
    public Lease acquireAndRelease() {
        Lease lease = router.acquire(route, null, random);
        lease.release(200, usage);
        return lease;
    }
}
