package dev.llmproxy.bench.load;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One precomputed HTTP/1.1 keep-alive request, sent unchanged on every iteration, and the loopback address it goes
 * to; or, made by {@link #rotating}, a fixed set of such requests to one address, sent in turn (e.g. one per virtual
 * key, so that a run touches thousands of keys). Only loopback targets are accepted: the load generator must never
 * send traffic off the machine.
 *
 * <p>Thread-safety: immutable.
 */
public final class RequestTemplate {

    private final InetSocketAddress address;
    private final String path;
    private final byte[][] variants;

    private RequestTemplate(InetSocketAddress address, String path, byte[][] variants) {
        this.address = address;
        this.path = path;
        this.variants = variants;
    }

    /**
     * Builds {@code POST path} with a JSON body.
     *
     * @throws IllegalArgumentException if {@code address} is unresolved or not a loopback address
     */
    public static RequestTemplate postJson(InetSocketAddress address, String path, String jsonBody) {
        return postJson(address, path, jsonBody, Map.of());
    }

    /**
     * Builds {@code POST path} with a JSON body and extra header lines (e.g. {@code Authorization}).
     *
     * @throws IllegalArgumentException if {@code address} is unresolved or not a loopback address, or a header
     *     name or value holds a line break
     */
    public static RequestTemplate postJson(InetSocketAddress address, String path, String jsonBody,
            Map<String, String> headers) {
        requireNonNull(address, "address");
        requireNonNull(path, "path");
        requireNonNull(jsonBody, "jsonBody");
        requireNonNull(headers, "headers");
        if (address.isUnresolved() || !address.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("address: " + address + " (expected: a loopback address)");
        }
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path: " + path + " (expected: starts with /)");
        }
        byte[] body = jsonBody.getBytes(UTF_8);
        StringBuilder head = new StringBuilder("POST ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(address.getAddress().getHostAddress()).append(':')
                .append(address.getPort()).append("\r\n")
                .append("Content-Type: application/json\r\n")
                .append("Accept: */*\r\n");
        headers.forEach((name, value) -> {
            if (name.indexOf('\r') >= 0 || name.indexOf('\n') >= 0 || value.indexOf('\r') >= 0
                    || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("header " + name + ": line break");
            }
            head.append(name).append(": ").append(value).append("\r\n");
        });
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        byte[] headBytes = head.toString().getBytes(US_ASCII);
        byte[] all = Arrays.copyOf(headBytes, headBytes.length + body.length);
        System.arraycopy(body, 0, all, headBytes.length, body.length);
        return new RequestTemplate(address, path, new byte[][] {all});
    }

    /**
     * One template that sends the given requests in turn, each connection's lane cycling through them in order.
     *
     * @throws IllegalArgumentException if {@code templates} is empty or they go to different addresses or paths
     */
    public static RequestTemplate rotating(List<RequestTemplate> templates) {
        if (templates.isEmpty()) {
            throw new IllegalArgumentException("templates: empty");
        }
        RequestTemplate first = templates.get(0);
        byte[][] all = new byte[templates.size()][];
        for (int i = 0; i < all.length; i++) {
            RequestTemplate template = templates.get(i);
            if (!template.address.equals(first.address) || !template.path.equals(first.path)
                    || template.variants.length != 1) {
                throw new IllegalArgumentException("templates: expected single requests to " + first);
            }
            all[i] = template.variants[0];
        }
        return new RequestTemplate(first.address, first.path, all);
    }

    /** The target address (loopback). */
    public InetSocketAddress address() {
        return address;
    }

    /** The request path. */
    public String path() {
        return path;
    }

    /** A copy of the (first) request's bytes (head and body), for a client that sends them itself. */
    public byte[] copyOfBytes() {
        return variants[0].clone();
    }

    /** How many different requests {@link #rotating} put in turn; 1 for a plain template. */
    public int variantCount() {
        return variants.length;
    }

    /** The full request number {@code index} (head and body); the array is shared, do not modify it. */
    byte[] bytes(int index) {
        return variants[index];
    }

    @Override
    public String toString() {
        return "POST http://" + address.getAddress().getHostAddress() + ':' + address.getPort() + path
                + (variants.length > 1 ? " (" + variants.length + " requests in turn)" : "");
    }
}
