package dev.llmproxy.bench.scenario;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.bench.load.ClosedLoopPlan;
import dev.llmproxy.bench.load.ClosedLoopResult;
import dev.llmproxy.bench.load.LoadGenerator;
import dev.llmproxy.bench.load.ProcessStats;
import dev.llmproxy.bench.load.RequestTemplate;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * A bounded soak of one target (issue 6, item 10): rounds of mixed traffic with faults for a fixed time, the
 * target's RSS sampled after every round and then during an idle pause (does memory come back after the burst?).
 *
 * <p>Each round runs, one after the other, a closed loop of each traffic kind (plain chat, streams, provider 500s,
 * streams the provider cuts, streams whose provider stalls past no timeout but ends) and then client faults on raw
 * sockets: uploads aborted mid-body and streams aborted mid-way, both with a TCP reset. Loopback only: every address
 * goes through {@link RequestTemplate#postJson}, which refuses anything else.
 *
 * <p>Thread-safety: not thread-safe; {@link #run()} blocks the calling thread for the whole soak.
 */
public final class SoakRunner {
    private static final String PATH = "/v1/chat/completions";
    private static final String MESSAGES = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    private static final int ABORTS_PER_ROUND = 20;

    private final LoadGenerator generator;
    private final Target target;
    private final Options options;
    private final PrintStream progress;

    /**
     * The soak's bounds.
     *
     * @param duration how long the rounds run
     * @param round how long one round's closed loops run, split evenly over the traffic kinds
     * @param idleAfter how long RSS is sampled after the last round with no traffic
     * @param sampleEvery how often RSS is sampled while idle
     * @param connections connections of each closed loop
     */
    public record Options(Duration duration, Duration round, Duration idleAfter, Duration sampleEvery,
            int connections) {
        public Options {
            requireNonNull(duration, "duration");
            requireNonNull(round, "round");
            requireNonNull(idleAfter, "idleAfter");
            requireNonNull(sampleEvery, "sampleEvery");
            if (round.toMillis() < Kind.values().length || sampleEvery.isZero() || connections < 1) {
                throw new IllegalArgumentException("round, sampleEvery and connections must be positive");
            }
        }
    }

    /** The traffic of a round; every kind but {@code CHAT} and {@code STREAM} is a fault. */
    public enum Kind {
        CHAT(""),
        STREAM(",\"stream\":true"),
        PROVIDER_500(",\"mock_status\":500,\"mock_error_message\":\"soak\""),
        PROVIDER_CUTS_STREAM(",\"stream\":true,\"mock_chunks\":5,\"mock_chunk_interval_ms\":0,"
                + "\"mock_cut_after_chunks\":2"),
        PROVIDER_STALLS_STREAM(",\"stream\":true,\"mock_chunks\":3,\"mock_chunk_interval_ms\":0,"
                + "\"mock_hold_after_chunks\":1,\"mock_hold_ms\":200");

        private final String fields;

        Kind(String fields) {
            this.fields = fields;
        }

        RequestTemplate request(Target target) {
            return RequestTemplate.postJson(target.address(), PATH,
                    "{\"model\":\"" + target.model() + "\"," + MESSAGES + fields + "}");
        }
    }

    /** One RSS sample: seconds since the soak started, {@code load} or {@code idle}, bytes. */
    public record Sample(double seconds, String phase, long rssBytes) {}

    /**
     * What a soak measured.
     *
     * @param samples the target's RSS over time (empty when its process is unknown)
     * @param completed 2xx responses per kind
     * @param failed other responses and lost requests per kind (expected for the provider faults)
     * @param clientAborts connections the client reset mid-body or mid-stream
     * @param clientAbortFailures aborts that could not be acted out (the target refused the connection)
     */
    public record Result(List<Sample> samples, Map<Kind, Long> completed, Map<Kind, Long> failed, long clientAborts,
            long clientAbortFailures) {}

    /** @param progress where one line per round is printed */
    public SoakRunner(LoadGenerator generator, Target target, Options options, PrintStream progress) {
        this.generator = requireNonNull(generator, "generator");
        this.target = requireNonNull(target, "target");
        this.options = requireNonNull(options, "options");
        this.progress = requireNonNull(progress, "progress");
    }

    /** Runs the soak. */
    public Result run() {
        long start = System.nanoTime();
        long end = start + options.duration().toNanos();
        Map<Kind, Long> completed = new LinkedHashMap<>();
        Map<Kind, Long> failed = new LinkedHashMap<>();
        List<Sample> samples = new ArrayList<>();
        Duration slice = options.round().dividedBy(Kind.values().length);
        long aborts = 0;
        long abortFailures = 0;
        int round = 0;
        while (System.nanoTime() < end) {
            round++;
            for (Kind kind : Kind.values()) {
                ClosedLoopResult result = generator.run(
                        new ClosedLoopPlan(kind.request(target), options.connections(), Duration.ZERO, slice));
                completed.merge(kind, result.completed(), Long::sum);
                failed.merge(kind, result.errors(), Long::sum);
            }
            for (int i = 0; i < ABORTS_PER_ROUND; i++) {
                boolean midStream = i % 2 == 1;
                if (abort(midStream)) {
                    aborts++;
                } else {
                    abortFailures++;
                }
            }
            Long rss = rss();
            if (rss != null) {
                samples.add(new Sample(seconds(start), "load", rss));
            }
            progress.printf(Locale.ROOT, "[soak] round %d, %.0f s: RSS %s, %d aborts%n", round, seconds(start),
                    rss == null ? "n/a" : rss / (1024 * 1024) + " MiB", aborts);
        }
        long idleEnd = System.nanoTime() + options.idleAfter().toNanos();
        while (System.nanoTime() < idleEnd) {
            LockSupport.parkNanos(Math.min(options.sampleEvery().toNanos(), idleEnd - System.nanoTime()));
            Long rss = rss();
            if (rss != null) {
                samples.add(new Sample(seconds(start), "idle", rss));
            }
        }
        return new Result(samples, completed, failed, aborts, abortFailures);
    }

    /** Opens a connection, sends half a request (or a whole stream request and reads a little), then resets it. */
    private boolean abort(boolean midStream) {
        InetSocketAddress address = target.address();
        byte[] request = (midStream ? Kind.STREAM : Kind.CHAT).request(target).copyOfBytes();
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(5));
            if (midStream) {
                socket.getOutputStream().write(request);
                InputStream in = socket.getInputStream();
                if (in.read(new byte[256]) < 0) {
                    return false;
                }
            } else {
                socket.getOutputStream().write(request, 0, request.length - 8);
            }
            socket.setSoLinger(true, 0);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private @Nullable Long rss() {
        ProcessStats process = target.process();
        return process == null ? null : process.rssBytes();
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    /** The soak as a Markdown section. */
    public static String markdown(Result result, long leakReports) {
        StringBuilder out = new StringBuilder("## Soak\n\n| kind | 2xx | other or lost |\n|---|---|---|\n");
        result.completed().forEach((kind, count) -> out.append("| ").append(kind.name().toLowerCase(Locale.ROOT))
                .append(" | ").append(count).append(" | ").append(result.failed().getOrDefault(kind, 0L))
                .append(" |\n"));
        out.append("\nClient aborts (reset mid-body or mid-stream): ").append(result.clientAborts())
                .append(result.clientAbortFailures() > 0 ? " (" + result.clientAbortFailures() + " not acted out)" : "")
                .append(". Netty leak reports in the proxy's log: ").append(leakReports).append(".\n\n")
                .append("| s | phase | RSS MiB |\n|---|---|---|\n");
        for (Sample sample : result.samples()) {
            out.append(String.format(Locale.ROOT, "| %.0f | %s | %.1f |%n", sample.seconds(), sample.phase(),
                    sample.rssBytes() / (1024.0 * 1024)));
        }
        return out.toString();
    }
}
