package dev.llmproxy.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The shipped {@code conf/nginx.conf} run by the real nginx, as the current user, with every file under one
 * directory. The file is adapted by text substitution of the values it marks "(test: replaced)" (listen ports,
 * certificate paths, the upstream port) and nothing else; each must occur exactly once, so an edit of the shipped
 * file that the test would silently miss fails instead. A small main configuration around it plays the part of
 * Debian's {@code /etc/nginx/nginx.conf}: pid, error and access logs, temp paths, and the {@code include}.
 */
final class ShippedNginx implements AutoCloseable {
    static final Path SHIPPED_CONFIG = Path.of("..", "conf", "nginx.conf");

    private final Process master;
    private final Path errorLog;

    private ShippedNginx(Process master, Path errorLog) {
        this.master = master;
        this.errorLog = errorLog;
    }

    /** The nginx executable on the PATH or in the sbin directories, which a non-root PATH often lacks. */
    static Optional<Path> find() {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/local/nginx/sbin"));
        return dirs.stream()
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "nginx"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /**
     * Writes the adapted {@code llmproxy.conf} and the main {@code nginx.conf} into {@code dir}; returns the main file.
     */
    static Path writeConfig(Path dir, Ports ports, SelfSignedCertificate certificate) throws IOException {
        String shipped = Files.readString(SHIPPED_CONFIG, UTF_8);
        String adapted = shipped;
        adapted = replaceOnce(adapted, "listen 80;", "listen 127.0.0.1:" + ports.http() + ";");
        adapted = replaceOnce(adapted, "listen 443 ssl;", "listen 127.0.0.1:" + ports.https() + " ssl;");
        adapted = replaceOnce(adapted, "server 127.0.0.1:4000;", "server 127.0.0.1:" + ports.llmproxy() + ";");
        adapted = replaceOnce(adapted, "/etc/letsencrypt/live/llm.example.com/fullchain.pem",
                certificate.certificatePem().toString());
        adapted = replaceOnce(adapted, "/etc/letsencrypt/live/llm.example.com/privkey.pem",
                certificate.keyPem().toString());
        Path include = Files.writeString(dir.resolve("llmproxy.conf"), adapted, UTF_8);

        Path temp = Files.createDirectories(dir.resolve("temp"));
        // A master running as root would switch its workers to "nobody", who cannot read this directory.
        String user = "root".equals(System.getProperty("user.name")) ? "user root root;\n" : "";
        String main = user + """
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log info;
                events {
                    worker_connections 256;
                }
                http {
                    access_log %1$s/access.log;
                    client_body_temp_path %2$s/client_body;
                    proxy_temp_path %2$s/proxy;
                    fastcgi_temp_path %2$s/fastcgi;
                    uwsgi_temp_path %2$s/uwsgi;
                    scgi_temp_path %2$s/scgi;
                    include %3$s;
                }
                """.formatted(dir, temp, include);
        return Files.writeString(dir.resolve("nginx.conf"), main, UTF_8);
    }

    /** Runs {@code nginx -t} on {@code config}; returns its exit status and output. */
    static Result configTest(Path nginx, Path config) throws IOException, InterruptedException {
        Process test = new ProcessBuilder(nginx.toString(), "-t", "-p", config.getParent().toString(), "-c",
                        config.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(test.getInputStream().readAllBytes(), UTF_8);
        if (!test.waitFor(20, TimeUnit.SECONDS)) {
            test.destroyForcibly();
            return new Result(-1, output + "\n(timed out)");
        }
        return new Result(test.exitValue(), output);
    }

    /** Starts nginx in the foreground on {@code config} and waits until both ports accept connections. */
    static ShippedNginx start(Path nginx, Path config, Ports ports) throws IOException, InterruptedException {
        Path dir = config.getParent();
        Process master = new ProcessBuilder(nginx.toString(), "-p", dir.toString(), "-c", config.toString(), "-g",
                        "daemon off;")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("nginx.out").toFile())
                .start();
        ShippedNginx started = new ShippedNginx(master, dir.resolve("error.log"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!(isListening(ports.http()) && isListening(ports.https()))) {
            if (!master.isAlive() || System.nanoTime() > deadline) {
                started.close();
                throw new IllegalStateException("nginx did not start; error log:\n" + started.errorLog());
            }
            master.waitFor(50, TimeUnit.MILLISECONDS);
        }
        return started;
    }

    /** The error log so far, for failure messages. */
    String errorLog() {
        try {
            return Files.readString(errorLog, UTF_8);
        } catch (IOException e) {
            return "(no error log: " + e + ")";
        }
    }

    /** Fast shutdown (SIGTERM to the master), then SIGKILL to whatever of the master and its workers is left. */
    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> workers = master.descendants().toList();
        master.destroy();
        if (!master.waitFor(10, TimeUnit.SECONDS)) {
            master.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        workers.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    static boolean isListening(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String replaceOnce(String text, String marked, String replacement) {
        int first = text.indexOf(marked);
        if (first < 0 || text.indexOf(marked, first + 1) >= 0) {
            throw new IllegalStateException(SHIPPED_CONFIG + ": expected exactly one '" + marked
                    + "' (a value the test replaces); update ShippedNginx with the file");
        }
        return text.replace(marked, replacement);
    }

    /** The three loopback ports: nginx's plain and TLS listeners, and llmproxy's. */
    record Ports(int http, int https, int llmproxy) {}

    /** The outcome of a command: its exit status and what it printed. */
    record Result(int exitCode, String output) {}
}
