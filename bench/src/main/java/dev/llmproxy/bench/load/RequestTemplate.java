package dev.llmproxy.bench.load;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * One precomputed HTTP/1.1 keep-alive request, sent unchanged on every iteration, and the loopback address it goes
 * to. Only loopback targets are accepted: the load generator must never send traffic off the machine.
 *
 * <p>Thread-safety: immutable.
 */
public final class RequestTemplate {

    private final InetSocketAddress address;
    private final String path;
    private final byte[] bytes;

    private RequestTemplate(InetSocketAddress address, String path, byte[] bytes) {
        this.address = address;
        this.path = path;
        this.bytes = bytes;
    }

    /**
     * Builds {@code POST path} with a JSON body.
     *
     * @throws IllegalArgumentException if {@code address} is unresolved or not a loopback address
     */
    public static RequestTemplate postJson(InetSocketAddress address, String path, String jsonBody) {
        requireNonNull(address, "address");
        requireNonNull(path, "path");
        requireNonNull(jsonBody, "jsonBody");
        if (address.isUnresolved() || !address.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("address: " + address + " (expected: a loopback address)");
        }
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path: " + path + " (expected: starts with /)");
        }
        byte[] body = jsonBody.getBytes(UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\n"
                + "Host: " + address.getAddress().getHostAddress() + ':' + address.getPort() + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Accept: */*\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n";
        byte[] headBytes = head.getBytes(US_ASCII);
        byte[] all = Arrays.copyOf(headBytes, headBytes.length + body.length);
        System.arraycopy(body, 0, all, headBytes.length, body.length);
        return new RequestTemplate(address, path, all);
    }

    /** The target address (loopback). */
    public InetSocketAddress address() {
        return address;
    }

    /** The request path. */
    public String path() {
        return path;
    }

    /** A copy of the request's bytes (head and body), for a client that sends them itself. */
    public byte[] copyOfBytes() {
        return bytes.clone();
    }

    /** The full request (head and body); the array is shared, do not modify it. */
    byte[] bytes() {
        return bytes;
    }

    @Override
    public String toString() {
        return "POST http://" + address.getAddress().getHostAddress() + ':' + address.getPort() + path;
    }
}
