package dev.llmproxy.bench.scenario;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * nginx {@code proxy_pass} to the mock, the baseline for what any reverse proxy adds on this machine: one worker
 * (pinned to the proxy's CPU when pinning), upstream keep-alive, no buffering, no access log, every file inside the
 * run's directory. nginx forwards bodies unchanged, so requests through it name the mock's model.
 *
 * <p>Thread-safety: {@link #close()} may be called from any thread (including a shutdown hook), once or more.
 */
public final class NginxProcess implements AutoCloseable {

    /** How long {@link #start} waits for the master to fork its worker. */
    private static final long WORKER_WAIT_MILLIS = 10_000;

    private final Process master;
    private final long workerPid;
    private final int port;
    private final List<String> command;

    private NginxProcess(Process master, long workerPid, int port, List<String> command) {
        this.master = master;
        this.workerPid = workerPid;
        this.port = port;
        this.command = command;
    }

    /** The {@code nginx} executable on {@code PATH}, if any. */
    public static Optional<Path> find() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "nginx");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The first line {@code nginx -v} prints, e.g. {@code nginx version: nginx/1.22.1}; "unknown" on failure. */
    public static String version(Path nginx) {
        try {
            Process process = new ProcessBuilder(nginx.toString(), "-v").redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), UTF_8).trim();
            boolean ended = process.waitFor(5, TimeUnit.SECONDS);
            return ended && !out.isEmpty() ? out.lines().findFirst().orElse("unknown") : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    /**
     * Writes {@code nginx.conf} into {@code workDir}, starts nginx in the foreground and waits until a chat
     * completion through it succeeds.
     *
     * @param upstream the mock's loopback address
     * @param cpu the CPU the worker is pinned to; null for no pinning
     * @throws IllegalStateException if nginx exits, forks no worker or does not answer within a minute or so
     */
    public static NginxProcess start(Path nginx, InetSocketAddress upstream, @Nullable Integer cpu, Path workDir) {
        try {
            Path dir = workDir.resolve("nginx").toAbsolutePath();
            Files.createDirectories(dir.resolve("temp"));
            int port = ChildProcesses.freePort();
            Path config = dir.resolve("nginx.conf");
            Files.writeString(config, config(port, upstream, cpu, dir), UTF_8);
            List<String> command = List.of(nginx.toString(), "-p", dir.toString(), "-c", config.toString());
            Path log = dir.resolve("nginx.out");
            Process master = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                    .start();
            long worker;
            try {
                ChildProcesses.awaitReady("nginx", master, port, "mock-model", Map.of(), log);
                worker = awaitWorker(master);
            } catch (RuntimeException e) {
                ChildProcesses.stop(master);
                throw e;
            }
            return new NginxProcess(master, worker, port, command);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start nginx", e);
        }
    }

    /**
     * The configuration: {@code listen 127.0.0.1:<port>}, {@code proxy_pass} to {@code upstream} over HTTP/1.1
     * keep-alive, pid, error log and temp files under {@code dir}.
     */
    static String config(int port, InetSocketAddress upstream, @Nullable Integer cpu, Path dir) {
        String temp = dir.resolve("temp").toString();
        StringBuilder c = new StringBuilder(1024);
        c.append("# Written by the llmproxy bench: the nginx proxy_pass baseline next to llmproxy.\n");
        c.append("worker_processes 1;\n");
        if (cpu != null) {
            c.append("worker_cpu_affinity ").append(affinityMask(cpu)).append(";\n");
        }
        c.append("daemon off;\n")
                .append("pid ").append(dir.resolve("nginx.pid")).append(";\n")
                .append("error_log ").append(dir.resolve("error.log")).append(" warn;\n")
                .append("events {\n    worker_connections 4096;\n}\n")
                .append("http {\n")
                .append("    access_log off;\n")
                .append("    client_body_temp_path ").append(temp).append("/client_body;\n")
                .append("    proxy_temp_path ").append(temp).append("/proxy;\n")
                .append("    fastcgi_temp_path ").append(temp).append("/fastcgi;\n")
                .append("    uwsgi_temp_path ").append(temp).append("/uwsgi;\n")
                .append("    scgi_temp_path ").append(temp).append("/scgi;\n")
                // nginx closes a keep-alive connection after 1000 requests by default, which the load generator
                // counts as errors; neither llmproxy nor the mock do that.
                .append("    keepalive_requests 1000000;\n")
                .append("    upstream mock {\n")
                .append("        server ").append(upstream.getAddress().getHostAddress()).append(':')
                .append(upstream.getPort()).append(";\n")
                .append("        keepalive 256;\n")
                .append("        keepalive_requests 1000000;\n")
                .append("    }\n")
                .append("    server {\n")
                .append("        listen 127.0.0.1:").append(port).append(";\n")
                .append("        location / {\n")
                .append("            proxy_pass http://mock;\n")
                .append("            proxy_http_version 1.1;\n")
                .append("            proxy_set_header Connection \"\";\n")
                .append("            proxy_buffering off;\n")
                .append("        }\n")
                .append("    }\n")
                .append("}\n");
        return c.toString();
    }

    /** The {@code worker_cpu_affinity} bit mask of one CPU: CPU 0 is {@code 1}, CPU 2 is {@code 100}. */
    static String affinityMask(int cpu) {
        if (cpu < 0) {
            throw new IllegalArgumentException("cpu: " + cpu + " (expected: >= 0)");
        }
        return "1" + "0".repeat(cpu);
    }

    /** The pids in a {@code /proc/<pid>/task/<tid>/children} file: space-separated, possibly empty. */
    static List<Long> parseChildren(String children) {
        List<Long> pids = new ArrayList<>();
        for (String pid : children.trim().split("\\s+")) {
            if (!pid.isEmpty()) {
                pids.add(Long.parseLong(pid));
            }
        }
        return pids;
    }

    /** The worker's pid, the master's only child; polls until the master has forked it. */
    private static long awaitWorker(Process master) {
        Path children = Path.of("/proc", Long.toString(master.pid()), "task", Long.toString(master.pid()),
                "children");
        for (long waited = 0; waited < WORKER_WAIT_MILLIS; waited += 50) {
            List<Long> pids = Files.isReadable(children) ? parseChildren(read(children))
                    : master.children().map(ProcessHandle::pid).toList();
            if (pids.size() == 1) {
                return pids.get(0);
            }
            try {
                if (master.waitFor(50, TimeUnit.MILLISECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("nginx master " + master.pid() + " has no single worker process");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** The worker's pid, for CPU and memory figures. */
    public long workerPid() {
        return workerPid;
    }

    /** The loopback address nginx listens on. */
    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** The command line, for the report. */
    public List<String> command() {
        return command;
    }

    /**
     * Stops nginx: SIGTERM to the master (a fast shutdown, which stops the worker), SIGKILL after 10 s; a worker that
     * outlived a killed master is killed too.
     */
    @Override
    public void close() {
        ChildProcesses.stop(master);
        ProcessHandle.of(workerPid).filter(ProcessHandle::isAlive).ifPresent(ProcessHandle::destroyForcibly);
    }
}
