package dev.llmproxy.proxy.trace;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.Nullable;

/*
 * Implementation notes.
 *
 * The exporter thread posts with plain blocking HTTP/1.1 on one kept-alive connection, not with the JDK's HttpClient:
 * the client runs every exchange through its selector thread and a chain of futures, which measured (per-thread CPU
 * of a traced proxy at 2,000 requests a second, five exports a second of about 330 KB) as much CPU on its own threads
 * as the exporter spent encoding, and its large code kept the JIT compiler busy in a young process. One request at a
 * time from one thread needs none of that.
 *
 * The answer is read whole (Content-Length, chunked, or until close) so that the connection can carry the next
 * export. A reused connection the collector closed while idle fails on its first read or write; the export is then
 * sent once more on a new connection (OTLP exports may be retried). Every read waits at most what is left of the
 * export timeout.
 */
/**
 * Posts encoded OTLP export requests to one {@link TraceDestination} over HTTP/1.1 (plain or TLS, with the JVM's
 * default trust and hostname verification): {@code Content-Type: application/x-protobuf}, the destination's headers,
 * gzip when configured. Beyond one resend on a connection that went stale, no retries: an export that fails or takes
 * longer than the timeout is reported as failed, and its records are counted as lost.
 *
 * <p>Thread-safety: {@link #send} and {@link #header} are called by one exporter thread at a time.
 */
final class OtlpHttpSender implements AutoCloseable {
    private static final int MAX_HEADER_LINE = 8192;
    private static final int DISCARD_BUFFER = 4096;

    private final String host;
    private final int port;
    private final boolean tls;
    private final String target;
    private final long timeoutMillis;
    private final boolean gzip;
    private final Map<String, String> headers = new LinkedHashMap<>();
    /** The request head up to its Content-Length value; rebuilt when a header changes. */
    private byte[] head;
    private final byte[] discard = new byte[DISCARD_BUFFER];
    private @Nullable Socket socket;
    private @Nullable InputStream in;
    private @Nullable OutputStream out;

    OtlpHttpSender(TraceDestination destination, Duration timeout, boolean gzip) {
        URI endpoint = destination.endpoint();
        this.tls = "https".equalsIgnoreCase(endpoint.getScheme());
        this.host = endpoint.getHost();
        this.port = endpoint.getPort() >= 0 ? endpoint.getPort() : tls ? 443 : 80;
        String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
        this.target = endpoint.getRawQuery() == null ? path : path + '?' + endpoint.getRawQuery();
        this.timeoutMillis = Math.max(1, timeout.toMillis());
        this.gzip = gzip;
        destination.headers().forEach(OtlpHttpSender::checkHeader);
        headers.putAll(destination.headers());
        this.head = head();
    }

    /** Sends {@code value} as header {@code name} with every later export (a looked-up MLflow experiment id). */
    void header(String name, String value) {
        checkHeader(name, value);
        headers.keySet().removeIf(existing -> existing.equalsIgnoreCase(name));
        headers.put(name, value);
        head = head();
    }

    /**
     * Posts {@code body[0, length)} and reads the answer, waiting at most the timeout per attempt. The body is not read
     * after this returns.
     *
     * @return whether the collector accepted the export (a 2xx answer)
     * @throws InterruptedException when the exporter thread is interrupted
     */
    boolean send(byte[] body, int length) throws InterruptedException {
        byte[] payload = body;
        int size = length;
        if (gzip) {
            payload = gzip(body, length);
            size = payload.length;
        }
        boolean reused = socket != null;
        try {
            return exchange(payload, size);
        } catch (IOException first) {
            close();
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            if (!reused || first instanceof SocketTimeoutException) {
                return false;
            }
        }
        try {
            return exchange(payload, size);
        } catch (IOException second) {
            close();
            return false;
        }
    }

    /** Closes the kept-alive connection, if any. */
    @Override
    public void close() {
        Socket open = socket;
        socket = null;
        in = null;
        out = null;
        if (open != null) {
            try {
                open.close();
            } catch (IOException e) {
                // Nothing is left to do with a connection that fails to close.
            }
        }
    }

    private boolean exchange(byte[] payload, int size) throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        if (socket == null) {
            connect();
        }
        OutputStream output = out;
        InputStream input = in;
        if (output == null || input == null) {
            throw new IOException("not connected");
        }
        output.write(head);
        output.write(Integer.toString(size).getBytes(StandardCharsets.US_ASCII));
        output.write('\r');
        output.write('\n');
        output.write('\r');
        output.write('\n');
        output.write(payload, 0, size);
        output.flush();
        return readResponse(input, deadline);
    }

    private void connect() throws IOException {
        Socket plain = new Socket();
        try {
            plain.setTcpNoDelay(true);
            plain.connect(new InetSocketAddress(host, port), (int) Math.min(Integer.MAX_VALUE, timeoutMillis));
            plain.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMillis));
            Socket connected = tls ? tls(plain) : plain;
            socket = connected;
            in = new BufferedInputStream(connected.getInputStream(), DISCARD_BUFFER);
            out = new BufferedOutputStream(connected.getOutputStream(), 64 * 1024);
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    private Socket tls(Socket plain) throws IOException {
        SSLContext context;
        try {
            context = SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IOException("no TLS", e);
        }
        SSLSocket secure = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
        SSLParameters parameters = secure.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (!isIpLiteral(host)) {
            parameters.setServerNames(List.of(new SNIHostName(host)));
        }
        secure.setSSLParameters(parameters);
        secure.startHandshake();
        return secure;
    }

    /** Reads the status line, the headers and the body; returns whether the status was 2xx. */
    private boolean readResponse(InputStream input, long deadline) throws IOException {
        String status = line(input, deadline);
        if (!status.startsWith("HTTP/1.") || status.length() < 12) {
            throw new IOException("not an HTTP/1.x answer");
        }
        int code = Integer.parseInt(status.substring(9, 12));
        long contentLength = -1;
        boolean chunked = false;
        boolean close = status.startsWith("HTTP/1.0");
        for (String header = line(input, deadline); !header.isEmpty(); header = line(input, deadline)) {
            int colon = header.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
            switch (name) {
                case "content-length" -> contentLength = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.endsWith("chunked");
                case "connection" -> close = value.contains("close") || close && !value.contains("keep-alive");
                default -> { }
            }
        }
        if (code == 204 || code == 304 || code / 100 == 1) {
            contentLength = 0;
        }
        if (chunked) {
            discardChunked(input, deadline);
        } else if (contentLength >= 0) {
            discard(input, contentLength, deadline);
        } else {
            discard(input, Long.MAX_VALUE, deadline);
            close = true;
        }
        if (close) {
            close();
        }
        return code >= 200 && code < 300;
    }

    private void discardChunked(InputStream input, long deadline) throws IOException {
        while (true) {
            String sizeLine = line(input, deadline);
            int extension = sizeLine.indexOf(';');
            long chunk = Long.parseLong((extension >= 0 ? sizeLine.substring(0, extension) : sizeLine).trim(), 16);
            if (chunk == 0) {
                while (!line(input, deadline).isEmpty()) {
                    // Trailers are read and ignored.
                }
                return;
            }
            discard(input, chunk, deadline);
            line(input, deadline);
        }
    }

    /** Skips {@code count} bytes, or to the end of the stream when {@code count} is {@code Long.MAX_VALUE}. */
    private void discard(InputStream input, long count, long deadline) throws IOException {
        long left = count;
        while (left > 0) {
            waitAtMost(deadline);
            int n = input.read(discard, 0, (int) Math.min(discard.length, left));
            if (n < 0) {
                if (count == Long.MAX_VALUE) {
                    return;
                }
                throw new IOException("answer cut short");
            }
            left -= n;
        }
    }

    private String line(InputStream input, long deadline) throws IOException {
        StringBuilder line = new StringBuilder(64);
        while (true) {
            waitAtMost(deadline);
            int b = input.read();
            if (b < 0) {
                throw new IOException("answer cut short");
            }
            if (b == '\n') {
                int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
            }
            if (line.length() == MAX_HEADER_LINE) {
                throw new IOException("answer line too long");
            }
            line.append((char) b);
        }
    }

    /** Lets the next read wait no longer than what is left until {@code deadline}. */
    private void waitAtMost(long deadline) throws IOException {
        long leftMillis = (deadline - System.nanoTime()) / 1_000_000L;
        if (leftMillis <= 0) {
            throw new SocketTimeoutException("export timeout");
        }
        Socket open = socket;
        if (open != null) {
            open.setSoTimeout((int) Math.min(Integer.MAX_VALUE, leftMillis));
        }
    }

    private byte[] head() {
        StringBuilder text = new StringBuilder(256).append("POST ").append(target).append(" HTTP/1.1\r\nHost: ")
                .append(host);
        if (port != (tls ? 443 : 80)) {
            text.append(':').append(port);
        }
        text.append("\r\nUser-Agent: llmproxy\r\nContent-Type: application/x-protobuf\r\n");
        if (gzip) {
            text.append("Content-Encoding: gzip\r\n");
        }
        headers.forEach((name, value) -> text.append(name).append(": ").append(value).append("\r\n"));
        text.append("Content-Length: ");
        return text.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A header the request line could not carry is a configuration error, as the JDK's HttpClient makes it. */
    private static void checkHeader(String name, String value) {
        if (name.isEmpty() || name.chars().anyMatch(c -> c <= ' ' || c == ':' || c >= 0x7F)
                || value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
            throw new IllegalArgumentException("invalid OTLP header: " + name);
        }
    }

    private static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || c >= '0' && c <= '9');
    }

    private static byte[] gzip(byte[] body, int length) {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream(Math.max(64, length / 4));
        try (GZIPOutputStream gz = new GZIPOutputStream(compressed, 8192)) {
            gz.write(body, 0, length);
        } catch (IOException e) {
            throw new UncheckedIOException("gzip into memory", e);
        }
        return compressed.toByteArray();
    }
}
