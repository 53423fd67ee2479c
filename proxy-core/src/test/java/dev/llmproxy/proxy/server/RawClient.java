package dev.llmproxy.proxy.server;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A plain-socket HTTP/1.1 client for tests that need byte-level control: pipelining, the arrival time of each chunk,
 * half-sent requests and abrupt disconnects. Reads block for at most 5 s. Not thread-safe.
 */
final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;

    RawClient(int port) throws IOException {
        this(port, 0);
    }

    /** @param receiveBufferBytes the socket's receive buffer (a small one makes a slow reader), 0 for the default */
    RawClient(int port, int receiveBufferBytes) throws IOException {
        socket = new Socket();
        if (receiveBufferBytes > 0) {
            socket.setReceiveBufferSize(receiveBufferBytes);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port));
        socket.setSoTimeout(5_000);
        in = new BufferedInputStream(socket.getInputStream());
    }

    /** A POST with a JSON body and a Content-Length; {@code extraHeaders} are full lines ending in CRLF. */
    static String post(String path, String body, String extraHeaders) {
        return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + extraHeaders
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    void send(String request) throws IOException {
        sendRaw(request.getBytes(StandardCharsets.UTF_8));
    }

    void sendRaw(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    /** Reads a status line and headers (names lower-cased). */
    Head readHead() throws IOException {
        String statusLine = readLine();
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while ((line = readLine()) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        return new Head(status, headers);
    }

    /** Reads one chunk of a chunked body; null for the terminating chunk (trailers are skipped). */
    byte @Nullable [] readChunk() throws IOException {
        String sizeLine = readLine();
        if (sizeLine == null) {
            throw new IOException("connection closed inside a chunked body");
        }
        int semicolon = sizeLine.indexOf(';');
        int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
        if (size == 0) {
            String trailer;
            while ((trailer = readLine()) != null && !trailer.isEmpty()) {
                // Trailers carry nothing the tests look at.
            }
            return null;
        }
        byte[] data = in.readNBytes(size);
        if (data.length < size) {
            throw new IOException("connection closed inside a chunk");
        }
        readLine();
        return data;
    }

    /** Reads a whole response: by Content-Length, chunked, or up to the end of the connection. */
    Response readResponse() throws IOException {
        Head head = readHead();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String length = head.headers().get("content-length");
        if (length != null) {
            body.writeBytes(in.readNBytes(Integer.parseInt(length)));
        } else if ("chunked".equalsIgnoreCase(head.headers().get("transfer-encoding"))) {
            byte[] chunk;
            while ((chunk = readChunk()) != null) {
                body.writeBytes(chunk);
            }
        } else {
            body.writeBytes(in.readAllBytes());
        }
        return new Response(head.status(), head.headers(), body.toString(StandardCharsets.UTF_8));
    }

    /** Reads the chunks of a chunked body, each with the time it arrived, up to the terminating chunk. */
    List<TimedChunk> readTimedChunks() throws IOException {
        List<TimedChunk> chunks = new ArrayList<>();
        byte[] chunk;
        while ((chunk = readChunk()) != null) {
            chunks.add(new TimedChunk(System.nanoTime(), new String(chunk, StandardCharsets.UTF_8)));
        }
        return chunks;
    }

    /** Reads until the server closes the connection. */
    byte[] readToEnd() throws IOException {
        return in.readAllBytes();
    }

    /** Whether the server closed the connection (end of stream or reset) within the read timeout. */
    boolean isClosedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
    }

    /** Closes with a TCP reset, as a client that crashes or is killed does. */
    void abort() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private @Nullable String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    /** A response's status and headers (lower-case names). */
    record Head(int status, Map<String, String> headers) {}

    /** A whole response; the body decoded as UTF-8. */
    record Response(int status, Map<String, String> headers, String body) {}

    /** One chunk of a chunked body and the {@link System#nanoTime()} at which it had fully arrived. */
    record TimedChunk(long arrivedNanos, String text) {}
}
