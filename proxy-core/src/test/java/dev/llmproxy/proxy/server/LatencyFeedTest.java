package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.limiter.LocalLimitStore;
import dev.llmproxy.proxy.call.AttemptRecord;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.config.ConfigLoader;
import dev.llmproxy.proxy.config.RoutingStrategy;
import dev.llmproxy.proxy.config.RoutingStrategyArgs;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.route.LimitingRouter;
import dev.llmproxy.proxy.route.ModelRoute;
import dev.llmproxy.proxy.route.RouteTable;
import dev.llmproxy.proxy.route.RoutingStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Latency-based routing fed from call records: the answering attempt's time per completion token, time to first
 * token for streams, the 1000 s penalty of a timeout, and nothing from other failures.
 */
class LatencyFeedTest {
    private static final long MS = 1_000_000;

    @TempDir
    Path dir;

    private final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T16:00:00Z"));
    private final SplittableRandom random = new SplittableRandom(5);
    private RoutingStats stats;
    private LatencyFeed feed;
    private LimitingRouter router;
    private ModelRoute route;

    @BeforeEach
    void setUp() throws IOException {
        Path file = Files.writeString(dir.resolve("config.yaml"), """
                model_list:
                  - {model_name: g, litellm_params: {model: openai/a}, model_info: {id: a}}
                  - {model_name: g, litellm_params: {model: openai/b}, model_info: {id: b}}
                """);
        RouteTable table = RouteTable.build(ConfigLoader.load(file, Map.of()));
        stats = new RoutingStats(table, clock::millis);
        feed = new LatencyFeed(stats, clock);
        router = new LimitingRouter(table, LocalLimitStore.INSTANCE, clock::millis,
                RoutingStrategy.LATENCY_BASED_ROUTING, RoutingStrategyArgs.DEFAULTS, stats);
        route = table.resolve("g");
    }

    @Test
    void shouldPreferTheDeploymentWithTheLowerTimePerCompletionToken() {
        feed.onCallEnded(record(false, 200, null, Usage.of(10, 100), 0, attempt("a", 0, 1_000 * MS, null)));
        feed.onCallEnded(record(false, 200, null, Usage.of(10, 10), 0, attempt("b", 0, 200 * MS, null)));

        assertThat(pick(false)).as("a: 10 ms per token, b: 20 ms").isEqualTo("a");
    }

    @Test
    void shouldRankStreamsByTimeToFirstToken() {
        feed.onCallEnded(record(true, 200, null, Usage.of(10, 1), 900 * MS, attempt("a", 0, 1_000 * MS, null)));
        feed.onCallEnded(record(true, 200, null, Usage.of(10, 1), 50 * MS, attempt("b", 0, 2_000 * MS, null)));

        assertThat(pick(true)).isEqualTo("b");
        assertThat(pick(false)).isEqualTo("a");
    }

    @Test
    void shouldPenaliseATimeoutAndIgnoreOtherFailures() {
        feed.onCallEnded(record(false, 200, null, null, 0, attempt("a", 0, 500 * MS, ProxyError.UPSTREAM_TIMEOUT),
                attempt("b", 500 * MS, 900 * MS, null)));
        feed.onCallEnded(record(false, 502, ProxyError.UPSTREAM_CONNECT_FAILED, null, 0,
                attempt("b", 0, 1 * MS, ProxyError.UPSTREAM_CONNECT_FAILED)));

        assertThat(pick(false)).as("a: 1000 s, b: 400 ms").isEqualTo("b");
    }

    private String pick(boolean stream) {
        return router.acquire(route, null, random, stream).target().deployment().id();
    }

    private static AttemptRecord attempt(String id, long startNanos, long endNanos, @Nullable ProxyError error) {
        return new AttemptRecord(id, error == null ? 200 : error.status().code(), error, startNanos, startNanos,
                endNanos);
    }

    private static CallRecord record(boolean stream, int status, @Nullable ProxyError error, @Nullable Usage usage,
            long firstByteNanos, AttemptRecord... attempts) {
        return new CallRecord("call", Endpoint.CHAT_COMPLETIONS, "g", "g", attempts[attempts.length - 1].deploymentId(),
                null, status, error, stream, usage, 0, firstByteNanos, attempts[attempts.length - 1].endNanos(), 0,
                List.of(attempts));
    }
}
