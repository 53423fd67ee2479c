package dev.llmproxy.bench.scenario;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.llmproxy.bench.load.ProcessStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * CPU pinning with {@code taskset}: the proxy on one CPU, the bench JVM (mock + load generator) on another, so that
 * the proxy's CPU share and latency are not disturbed by the load it is measured with.
 *
 * <p>Thread-safety: immutable.
 */
public final class CpuPinning {

    /** The CPU the proxy runs on. */
    public static final int PROXY_CPU = 0;
    /** The CPU the bench JVM runs on. */
    public static final int BENCH_CPU = 1;

    private final boolean enabled;
    private final String reason;

    private CpuPinning(boolean enabled, String reason) {
        this.enabled = enabled;
        this.reason = reason;
    }

    /**
     * Pins the current JVM (all its threads) to {@link #BENCH_CPU} if {@code wanted}, {@code taskset} exists and both
     * CPUs are available; otherwise returns a disabled pinning that says why.
     */
    public static CpuPinning pinSelf(boolean wanted) {
        if (!wanted) {
            return new CpuPinning(false, "disabled by --no-pin");
        }
        if (!hasTaskset()) {
            return new CpuPinning(false, "taskset not found");
        }
        if (Runtime.getRuntime().availableProcessors() < 2) {
            return new CpuPinning(false, "fewer than 2 CPUs available");
        }
        long pid = ProcessHandle.current().pid();
        List<String> command = List.of("taskset", "-a", "-p", "-c", Integer.toString(BENCH_CPU), Long.toString(pid));
        String failure = run(command);
        return failure == null ? new CpuPinning(true, "pinned") : new CpuPinning(false, failure);
    }

    /** Whether the proxy should be started under {@code taskset -c PROXY_CPU}. */
    public boolean isEnabled() {
        return enabled;
    }

    /** Prefixes {@code command} with {@code taskset -c PROXY_CPU} when pinning is enabled. */
    public List<String> proxyCommand(List<String> command) {
        if (!enabled) {
            return command;
        }
        List<String> pinned = new ArrayList<>(List.of("taskset", "-c", Integer.toString(PROXY_CPU)));
        pinned.addAll(command);
        return pinned;
    }

    /** A one-line account: what is pinned where, with the CPU lists the kernel reports. */
    public String describe(long proxyPid) {
        String bench = ProcessStats.of(ProcessHandle.current().pid()).allowedCpus();
        String proxy = proxyPid > 0 ? ProcessStats.of(proxyPid).allowedCpus() : "n/a";
        String head = enabled ? "proxy -> CPU " + PROXY_CPU + ", bench JVM (mock + load generator) -> CPU " + BENCH_CPU
                : "not pinned (" + reason + ")";
        return head + "; allowed CPUs: bench " + bench + ", proxy " + proxy;
    }

    private static boolean hasTaskset() {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(":")) {
            if (Files.isExecutable(Path.of(dir, "taskset"))) {
                return true;
            }
        }
        return false;
    }

    private static @Nullable String run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), UTF_8).trim();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return "taskset timed out";
            }
            return process.exitValue() == 0 ? null : "taskset failed: " + out;
        } catch (IOException e) {
            return "taskset failed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
