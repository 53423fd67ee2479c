package dev.llmproxy.proxy.trace;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.llmproxy.proxy.trace.OtlpSpans.Span;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP trace collector for tests, on 127.0.0.1: records each export's path, headers and raw (decompressed)
 * body and decodes its spans with {@link OtlpSpans}. It can be told to hang (a slow collector) until released.
 */
public final class OtlpReceiver implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Export> exports = new CopyOnWriteArrayList<>();
    private final boolean keep;
    private volatile CountDownLatch hang = new CountDownLatch(0);

    private OtlpReceiver(HttpServer server, boolean keep) {
        this.server = server;
        this.keep = keep;
    }

    /** Starts a receiver on an ephemeral port that keeps every export. */
    public static OtlpReceiver start() {
        return start(true);
    }

    /** Starts a receiver that answers exports and forgets them (benchmarks). */
    public static OtlpReceiver startDiscarding() {
        return start(false);
    }

    private static OtlpReceiver start(boolean keep) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            OtlpReceiver receiver = new OtlpReceiver(server, keep);
            server.createContext("/", receiver::handle);
            server.setExecutor(receiver.executor);
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The base URL, e.g. {@code http://127.0.0.1:4318}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The traces URL under the base URL. */
    public URI tracesUrl() {
        return URI.create(baseUrl() + "/v1/traces");
    }

    /** From now on, exports wait without an answer until {@link #release()}. */
    public void hang() {
        hang = new CountDownLatch(1);
    }

    /** Answers the exports that wait, and all later ones at once. */
    public void release() {
        hang.countDown();
    }

    /** The exports received so far. */
    public List<Export> exports() {
        return List.copyOf(exports);
    }

    /** Every span received so far. */
    public List<Span> spans() {
        List<Span> spans = new ArrayList<>();
        for (Export export : exports) {
            spans.addAll(OtlpSpans.decode(export.body()));
        }
        return spans;
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
                body = in.readAllBytes();
            }
        }
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, String.join(",", values)));
        try {
            hang.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (keep) {
            exports.add(new Export(exchange.getRequestURI().getPath(), headers, body));
        }
        exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
        exchange.sendResponseHeaders(200, -1);
        exchange.close();
    }

    /** One export request as received: path, headers (case-insensitive names) and decompressed body. */
    public record Export(String path, Map<String, String> headers, byte[] body) {}
}
