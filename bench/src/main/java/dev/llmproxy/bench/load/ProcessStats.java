package dev.llmproxy.bench.load;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * CPU time and peak resident memory of a Linux process, read from {@code /proc/<pid>/stat} (utime + stime, in clock
 * ticks of {@code getconf CLK_TCK}) and {@code /proc/<pid>/status} ({@code VmHWM}, the resident set's high-water
 * mark since the process started).
 *
 * <p>Thread-safety: immutable; every call reads {@code /proc} afresh. Methods throw {@link UncheckedIOException}
 * if the process is gone or {@code /proc} is unavailable.
 */
public final class ProcessStats {

    private static final long DEFAULT_CLOCK_TICKS = 100;

    private final long pid;
    private final long clockTicksPerSecond;

    private ProcessStats(long pid, long clockTicksPerSecond) {
        this.pid = pid;
        this.clockTicksPerSecond = clockTicksPerSecond;
    }

    /** Stats of process {@code pid}; asks {@code getconf CLK_TCK} once (falling back to 100). */
    public static ProcessStats of(long pid) {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid: " + pid + " (expected: > 0)");
        }
        return new ProcessStats(pid, clockTicks());
    }

    /** Whether {@code /proc/<pid>/stat} can be read here, i.e. this is Linux with procfs. */
    public static boolean isSupported() {
        return Files.isReadable(Path.of("/proc/self/stat"));
    }

    /** The process id. */
    public long pid() {
        return pid;
    }

    /** Clock ticks per second used to convert {@code /proc} CPU times. */
    public long clockTicksPerSecond() {
        return clockTicksPerSecond;
    }

    /** User plus system CPU time consumed so far, in seconds (resolution 1 / {@link #clockTicksPerSecond()}). */
    public double cpuSeconds() {
        return (double) parseCpuTicks(read("stat")) / clockTicksPerSecond;
    }

    /**
     * The process's CPU time with its JIT compiler threads' apart, for {@link #servingCpuSecondsSince}. A compiler
     * thread that exits between two readings (the JVM adds and retires C2 threads as its queue grows and shrinks)
     * leaves what it used in between counted as serving: a small overstatement, never an understatement.
     */
    public CpuReading cpuReading() {
        Map<Long, Long> compilers = new HashMap<>();
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
            for (Path thread : threads) {
                String comm = readOrEmpty(thread.resolve("comm")).trim();
                if (isCompilerThread(comm)) {
                    String schedstat = readOrEmpty(thread.resolve("schedstat"));
                    if (!schedstat.isEmpty()) {
                        compilers.put(Long.parseLong(thread.getFileName().toString()), parseRuntimeNanos(schedstat));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + tasks, e);
        }
        return new CpuReading(cpuSeconds(), Map.copyOf(compilers));
    }

    /**
     * CPU seconds the process used since {@code before}, less what its JIT compiler threads used: the cost of serving
     * in a steady state. Two freshly started proxies compile for as long as they serve in their first minute, and
     * that compiling lands in whichever window it happens to, moving per-request ratios by tens of per cent.
     */
    public double servingCpuSecondsSince(CpuReading before) {
        CpuReading after = cpuReading();
        long compilingNanos = 0;
        for (Map.Entry<Long, Long> thread : after.compilerNanos().entrySet()) {
            compilingNanos += thread.getValue() - before.compilerNanos().getOrDefault(thread.getKey(), 0L);
        }
        return after.cpuSeconds() - before.cpuSeconds() - compilingNanos / 1e9;
    }

    /** Whether a thread's {@code comm} names a HotSpot JIT compiler thread ("C2 CompilerThre", truncated to 15). */
    static boolean isCompilerThread(String comm) {
        return comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre");
    }

    /** The first field of a {@code /proc/<pid>/task/<tid>/schedstat} line: time spent running, in nanoseconds. */
    static long parseRuntimeNanos(String schedstat) {
        String trimmed = schedstat.trim();
        int space = trimmed.indexOf(' ');
        return Long.parseLong(space < 0 ? trimmed : trimmed.substring(0, space));
    }

    /**
     * One {@link #cpuReading()}: the process's CPU seconds, and the running nanoseconds of each live JIT compiler
     * thread by thread id.
     */
    public record CpuReading(double cpuSeconds, Map<Long, Long> compilerNanos) {
    }

    /** Peak resident set size ({@code VmHWM}) in bytes. */
    public long peakRssBytes() {
        return parseStatusKb(read("status"), "VmHWM:") * 1024;
    }

    /** Current resident set size ({@code VmRSS}) in bytes. */
    public long rssBytes() {
        return parseStatusKb(read("status"), "VmRSS:") * 1024;
    }

    /** The CPUs the process may run on ({@code Cpus_allowed_list}), e.g. {@code "0-1"}; empty if unknown. */
    public String allowedCpus() {
        return statusValue(read("status"), "Cpus_allowed_list:");
    }

    /** utime + stime from a {@code /proc/<pid>/stat} line; fields counted after the command's closing parenthesis. */
    static long parseCpuTicks(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + stat);
        }
        // After ")": field 3 (state) is index 0, so utime (field 14) is index 11 and stime (field 15) index 12.
        String[] fields = stat.substring(close + 1).trim().split("\\s+");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** The value in kB of a {@code /proc/<pid>/status} line such as {@code "VmHWM:   123456 kB"}. */
    static long parseStatusKb(String status, String key) {
        String value = statusValue(status, key);
        if (value.isEmpty()) {
            throw new IllegalArgumentException(key + " not found in /proc status");
        }
        return Long.parseLong(value.split("\\s+")[0]);
    }

    private static String statusValue(String status, String key) {
        for (String line : status.split("\n")) {
            if (line.startsWith(key)) {
                return line.substring(key.length()).trim();
            }
        }
        return "";
    }

    /** A thread's file, or empty when the thread has exited since it was listed. */
    private static String readOrEmpty(Path file) {
        try {
            return Files.readString(file, US_ASCII);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private String read(String file) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), file), US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/" + pid + "/" + file, e);
        }
    }

    private static long clockTicks() {
        try {
            Process process = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), US_ASCII).trim();
            if (process.waitFor(5, TimeUnit.SECONDS) && process.exitValue() == 0) {
                long ticks = Long.parseLong(out);
                return ticks > 0 ? ticks : DEFAULT_CLOCK_TICKS;
            }
            return DEFAULT_CLOCK_TICKS;
        } catch (IOException | NumberFormatException e) {
            return DEFAULT_CLOCK_TICKS;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DEFAULT_CLOCK_TICKS;
        }
    }
}
