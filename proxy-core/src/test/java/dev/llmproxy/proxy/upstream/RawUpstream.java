package dev.llmproxy.proxy.upstream;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provider written with plain blocking sockets, for the cases the mock provider cannot act out: it answers the
 * first request of each connection with a fixed response, then closes the connection when the next request
 * arrives, unanswered.
 */
final class RawUpstream implements AutoCloseable {
    private final ServerSocket socket;
    private final byte[] response;
    private final AtomicInteger connections = new AtomicInteger();

    /** @param head the status line and headers, without the blank line or content-length */
    RawUpstream(String head, String body) throws IOException {
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        byte[] content = body.getBytes(UTF_8);
        byte[] start = (head + "\r\ncontent-length: " + content.length + "\r\n\r\n").getBytes(UTF_8);
        this.response = new byte[start.length + content.length];
        System.arraycopy(start, 0, response, 0, start.length);
        System.arraycopy(content, 0, response, start.length, content.length);
        Thread thread = new Thread(this::serve, "raw-upstream");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    int connections() {
        return connections.get();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private void serve() {
        while (!socket.isClosed()) {
            try (Socket connection = socket.accept()) {
                connections.incrementAndGet();
                BufferedReader in = new BufferedReader(new InputStreamReader(connection.getInputStream(), UTF_8));
                in.skip(readHead(in));
                OutputStream out = connection.getOutputStream();
                out.write(response);
                out.flush();
                readHead(in);
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Reads a request head and returns its content length. */
    private static int readHead(BufferedReader in) throws IOException {
        int contentLength = 0;
        String line;
        while ((line = in.readLine()) != null && !line.isEmpty()) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                contentLength = Integer.parseInt(line.substring(15).trim());
            }
        }
        return contentLength;
    }
}
