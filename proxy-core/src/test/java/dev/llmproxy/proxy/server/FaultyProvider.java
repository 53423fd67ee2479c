package dev.llmproxy.proxy.server;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A provider on plain blocking sockets that acts out one fault on the first request it receives, for the faults the
 * mock provider cannot produce (broken framing, oversized headers, resets, non-JSON bodies, a stream that only ends
 * once the proxy has held it back). Every later request, on any connection, gets a healthy keep-alive chat
 * completion, so a test can tell from {@link #connections()} whether the proxy reused the faulty connection.
 *
 * <p>Thread-safety: one daemon thread per connection; the counters are atomic.
 */
final class FaultyProvider implements AutoCloseable {
    /** What the first request gets. */
    enum Fault {
        /** Reads the request, then closes with a TCP reset, nothing answered. */
        RESET,
        /** A chunked 200 whose second chunk has an invalid size line; the connection then stays open. */
        BAD_CHUNK,
        /** A 200 whose header block is 100 KiB, over the proxy's upstream header limit. */
        HUGE_HEADERS,
        /** A 200 {@code application/json} whose body is not JSON. */
        INVALID_JSON,
        /** A 502 with an HTML page, as a load balancer in front of a provider sends. */
        HTML_502,
        /**
         * An SSE stream that writes events until its writes have been blocked for {@link #HOLD_NANOS} in a row (the
         * proxy stopped reading for a client that does not read), then ends with {@code [DONE]}; or ends early
         * when the proxy closes the connection.
         */
        STREAM_UNTIL_HELD
    }

    /** How long the proxy must hold {@link Fault#STREAM_UNTIL_HELD} back before the stream ends. */
    static final long HOLD_NANOS = 1_500_000_000L;

    static final String HEALTHY_BODY = "{\"id\":\"chatcmpl-ok\",\"object\":\"chat.completion\",\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"fine\"},"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}";
    private static final byte[] EVENT = ("data: {\"choices\":[{\"delta\":{\"content\":\"" + "x".repeat(4000)
            + "\"}}]}\n\n").getBytes(UTF_8);

    private final ServerSocket socket;
    private final Fault fault;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicBoolean held = new AtomicBoolean();
    private final AtomicBoolean faultyConnectionClosed = new AtomicBoolean();
    private final AtomicLong blockedSinceNanos = new AtomicLong();
    private volatile boolean writing;

    FaultyProvider(Fault fault) throws IOException {
        this.fault = fault;
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "faulty-provider");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + socket.getLocalPort() + "/v1";
    }

    /** Connections accepted so far. */
    int connections() {
        return connections.get();
    }

    /** Requests received so far. */
    int requests() {
        return requests.get();
    }

    /**
     * Whether a {@link Fault#STREAM_UNTIL_HELD} stream has been held back for {@link #HOLD_NANOS}: its current write
     * has been blocked that long. The stream then ends as soon as that write completes.
     */
    boolean wasHeld() {
        if (!held.get() && writing && System.nanoTime() - blockedSinceNanos.get() >= HOLD_NANOS) {
            held.set(true);
        }
        return held.get();
    }

    /** Whether the connection that got the fault has been closed by the proxy (or reset). */
    boolean faultyConnectionClosed() {
        return faultyConnectionClosed.get();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket connection = socket.accept();
                connections.incrementAndGet();
                Thread serving = new Thread(() -> serve(connection), "faulty-provider-connection");
                serving.setDaemon(true);
                serving.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket connection) {
        boolean faulty = false;
        try (connection) {
            InputStream in = new BufferedInputStream(connection.getInputStream());
            OutputStream out = connection.getOutputStream();
            while (readRequest(in)) {
                if (requests.incrementAndGet() == 1) {
                    faulty = true;
                    if (!actOut(connection, in, out)) {
                        return;
                    }
                } else {
                    out.write(response("200 OK", "application/json", HEALTHY_BODY));
                    out.flush();
                }
            }
        } catch (IOException e) {
            // The proxy closed or reset the connection: the end of this connection's story.
        } finally {
            if (faulty) {
                faultyConnectionClosed.set(true);
            }
        }
    }

    /** Acts out the fault; returns whether the connection may carry another request. */
    private boolean actOut(Socket connection, InputStream in, OutputStream out) throws IOException {
        switch (fault) {
            case RESET -> {
                connection.setSoLinger(true, 0);
                return false;
            }
            case BAD_CHUNK -> {
                out.write(("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
                        + "5\r\n{\"id\"\r\nzz\r\n:\"x\"}\r\n0\r\n\r\n").getBytes(UTF_8));
                out.flush();
                // Stays open: a proxy that put this connection back in its pool would wait here for an answer.
                drain(in);
                return false;
            }
            case HUGE_HEADERS -> {
                out.write(("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-padding: " + "p".repeat(100 * 1024)
                        + "\r\ncontent-length: 2\r\n\r\n{}").getBytes(UTF_8));
                out.flush();
                drain(in);
                return false;
            }
            case INVALID_JSON -> out.write(response("200 OK", "application/json", "{\"id\": not json at all"));
            case HTML_502 -> out.write(response("502 Bad Gateway", "text/html",
                    "<html><body><h1>502 Bad Gateway</h1></body></html>"));
            case STREAM_UNTIL_HELD -> {
                streamUntilHeld(out);
                return true;
            }
            default -> throw new IllegalStateException("unhandled fault " + fault);
        }
        out.flush();
        return true;
    }

    private void streamUntilHeld(OutputStream out) throws IOException {
        out.write("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
                .getBytes(UTF_8));
        byte[] size = (Integer.toHexString(EVENT.length) + "\r\n").getBytes(UTF_8);
        while (!wasHeld()) {
            blockedSinceNanos.set(System.nanoTime());
            writing = true;
            out.write(size);
            out.write(EVENT);
            out.write("\r\n".getBytes(UTF_8));
            wasHeld();
            writing = false;
        }
        byte[] done = "data: [DONE]\n\n".getBytes(UTF_8);
        out.write((Integer.toHexString(done.length) + "\r\n").getBytes(UTF_8));
        out.write(done);
        out.write("\r\n0\r\n\r\n".getBytes(UTF_8));
        out.flush();
    }

    private static byte[] response(String status, String contentType, String body) {
        byte[] content = body.getBytes(UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("HTTP/1.1 " + status + "\r\ncontent-type: " + contentType + "\r\ncontent-length: "
                + content.length + "\r\n\r\n").getBytes(UTF_8));
        out.writeBytes(content);
        return out.toByteArray();
    }

    /** Reads one request (head and content-length body); false at the end of the connection. */
    private static boolean readRequest(InputStream in) throws IOException {
        int contentLength = 0;
        String line;
        while ((line = readLine(in)) != null) {
            if (line.isEmpty()) {
                in.readNBytes(contentLength);
                return true;
            }
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                contentLength = Integer.parseInt(line.substring(15).trim());
            }
        }
        return false;
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                String text = line.toString(UTF_8);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return null;
    }

    private static void drain(InputStream in) throws IOException {
        while (in.read() >= 0) {
            // Discards whatever the proxy sends until it closes the connection.
        }
    }
}
