package dev.llmproxy.proxy.trace;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.zip.GZIPOutputStream;

/**
 * Posts encoded OTLP export requests to one {@link TraceDestination} over HTTP/1.1 with the JDK's HttpClient
 * ({@code Content-Type: application/x-protobuf}, the destination's headers, gzip when configured). No retries: an
 * export that fails or takes longer than the timeout is reported as failed, and its records are counted as lost.
 *
 * <p>Thread-safety: {@link #send} is called by one exporter thread at a time.
 */
final class OtlpHttpSender {
    private final HttpClient client;
    private final HttpRequest.Builder request;
    private final boolean gzip;

    OtlpHttpSender(TraceDestination destination, Duration timeout, boolean gzip) {
        // HTTP/1.1: the JDK client's default (HTTP/2) tries an h2c upgrade on http:// URLs, which some collectors and
        // the proxies in front of them answer badly.
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
        this.request = HttpRequest.newBuilder(destination.endpoint())
                .timeout(timeout)
                .header("Content-Type", "application/x-protobuf");
        destination.headers().forEach(request::header);
        if (gzip) {
            request.header("Content-Encoding", "gzip");
        }
        this.gzip = gzip;
    }

    /** Sends {@code value} as header {@code name} with every later export (a looked-up MLflow experiment id). */
    void header(String name, String value) {
        request.setHeader(name, value);
    }

    /**
     * Posts {@code body[0, length)} and waits for the answer, at most the timeout.
     *
     * <p>The client may still read {@code body} after a failed or abandoned send; the caller must not reuse it then.
     *
     * @return whether the collector accepted the export (a 2xx answer)
     * @throws InterruptedException when the exporter thread is interrupted while waiting
     */
    boolean send(byte[] body, int length) throws InterruptedException {
        HttpRequest.BodyPublisher publisher = gzip
                ? HttpRequest.BodyPublishers.ofByteArray(gzip(body, length))
                : HttpRequest.BodyPublishers.ofByteArray(body, 0, length);
        try {
            int status = client.send(request.copy().POST(publisher).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
            return status >= 200 && status < 300;
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] gzip(byte[] body, int length) {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream(Math.max(64, length / 4));
        try (GZIPOutputStream out = new GZIPOutputStream(compressed, 8192)) {
            out.write(body, 0, length);
        } catch (IOException e) {
            throw new UncheckedIOException("gzip into memory", e);
        }
        return compressed.toByteArray();
    }
}
