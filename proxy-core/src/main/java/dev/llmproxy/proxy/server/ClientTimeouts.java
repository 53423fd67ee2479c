package dev.llmproxy.proxy.server;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How long a client connection may stay silent, by phase (nginx's {@code keepalive_timeout},
 * {@code client_header_timeout} and {@code client_body_timeout}). No client timeout applies while a response is being
 * written, so long streams are never cut.
 *
 * @param keepAlive how long a connection may wait for the first byte of its next request, counted from when it opened
 *     or its last response was written; then it is closed without a response
 * @param header how long a request head may take to arrive in full, from its first byte; then 408 and close
 * @param body the longest silence between two reads of a request body; then 408 and close
 */
public record ClientTimeouts(Duration keepAlive, Duration header, Duration body) {
    /** nginx's defaults: 75 s idle keep-alive, 60 s for a request head, 60 s of silence within a body. */
    public static final ClientTimeouts DEFAULTS =
            new ClientTimeouts(Duration.ofSeconds(75), Duration.ofSeconds(60), Duration.ofSeconds(60));

    public ClientTimeouts {
        requirePositive(keepAlive, "keepAlive");
        requirePositive(header, "header");
        requirePositive(body, "body");
    }

    /** The given timeouts, each {@code null} one replaced by its {@linkplain #DEFAULTS default}. */
    public static ClientTimeouts of(@Nullable Duration keepAlive, @Nullable Duration header, @Nullable Duration body) {
        return new ClientTimeouts(
                keepAlive != null ? keepAlive : DEFAULTS.keepAlive,
                header != null ? header : DEFAULTS.header,
                body != null ? body : DEFAULTS.body);
    }

    private static void requirePositive(Duration timeout, String name) {
        requireNonNull(timeout, name);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(name + ": " + timeout + " (expected: > 0)");
        }
    }
}
