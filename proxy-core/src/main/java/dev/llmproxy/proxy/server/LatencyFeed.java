package dev.llmproxy.proxy.server;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.call.AttemptRecord;
import dev.llmproxy.proxy.call.CallListener;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.route.DeploymentStats;
import dev.llmproxy.proxy.route.RoutingStats;
import java.time.Clock;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Feeds {@code latency-based-routing} from each call's record, as LiteLLM's {@code lowest_latency} callback does: the
 * answering attempt's duration (and, streamed, its time to first byte), per completion token when the response
 * reported them; an attempt that timed out counts as 1000 s. Other failures leave no sample (LiteLLM records
 * successes and timeouts only). Runs on the event loop that ended the call: a few atomic writes.
 *
 * <p>Thread-safety: stateless apart from the thread-safe stats.
 */
final class LatencyFeed implements CallListener {
    /** LiteLLM's penalty sample for a timeout: 1000 s. */
    static final long TIMEOUT_PENALTY_MICROS = 1_000_000_000L;

    private final RoutingStats stats;
    private final Clock clock;

    LatencyFeed(RoutingStats stats, Clock clock) {
        this.stats = requireNonNull(stats, "stats");
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public void onCallEnded(CallRecord record) {
        List<AttemptRecord> attempts = record.attempts();
        long now = clock.millis();
        for (int i = 0; i < attempts.size(); i++) {
            AttemptRecord attempt = attempts.get(i);
            DeploymentStats deployment = stats.byId(attempt.deploymentId());
            if (deployment == null) {
                continue;
            }
            if (attempt.error() == ProxyError.UPSTREAM_TIMEOUT) {
                deployment.recordLatency(TIMEOUT_PENALTY_MICROS, -1, now);
            } else if (i == attempts.size() - 1 && record.error() == null && record.status() / 100 == 2) {
                long perToken = perToken(record.usage());
                long total = (attempt.endNanos() - attempt.startNanos()) / 1000 / perToken;
                long firstToken = record.stream() && record.firstByteNanos() > attempt.startNanos()
                        ? (record.firstByteNanos() - attempt.startNanos()) / 1000 / perToken
                        : -1;
                deployment.recordLatency(total, firstToken, now);
            }
        }
    }

    private static long perToken(@Nullable Usage usage) {
        return usage != null && usage.completionTokens() > 0 ? usage.completionTokens() : 1;
    }
}
