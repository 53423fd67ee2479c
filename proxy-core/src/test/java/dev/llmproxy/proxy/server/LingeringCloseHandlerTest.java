package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The 413 of an oversized body and the lingering close after it ({@link RequestAggregator} and
 * {@link LingeringCloseHandler} in the client pipeline), on a mock clock.
 */
class LingeringCloseHandlerTest {
    private static final int LIMIT = ClientPipeline.MAX_REQUEST_BYTES;
    private static final Duration NANO = Duration.ofNanos(1);
    private static final Duration LINGER_TIMEOUT = Duration.ofNanos(LingeringCloseHandler.LINGER_TIMEOUT_NANOS);
    /** Looks like a request: must not be parsed once the connection lingers. */
    private static final String SMUGGLED = "GET /v1/models HTTP/1.1\r\nHost: localhost\r\n\r\n";

    private final ClientPipeline client = new ClientPipeline(ClientTimeouts.DEFAULTS);

    @AfterEach
    void tearDown() {
        client.close();
    }

    @Test
    void shouldAnswerOpenAi413AndDiscardTheRestWhenDeclaredBodyExceedsLimit() {
        client.send(head(10L * LIMIT, "") + "{\"model\":");

        String response = client.output();

        assertThat(response).startsWith("HTTP/1.1 413 Request Entity Too Large\r\n")
                .containsIgnoringCase("connection: close")
                .contains("\"type\":\"bad_request_error\"")
                .contains("max_request_size_mb");
        ByteBuf rest = Unpooled.copiedBuffer(SMUGGLED, StandardCharsets.US_ASCII);
        client.channel.writeInbound(rest);
        assertThat(rest.refCnt()).as("discarded bytes are released").isZero();
        assertThat(client.output()).isEmpty();
        assertThat(client.requests).isEmpty();
        assertThat(client.channel.isOpen()).isTrue();
    }

    @Test
    void shouldCloseAfterLingerTimeoutWhenClientFallsSilent() {
        client.send(head(10L * LIMIT, ""));
        for (int i = 0; i < 3; i++) {
            client.advance(LINGER_TIMEOUT.minus(NANO));
            client.send(new byte[1000]);
        }
        assertThat(client.channel.isOpen()).as("each read restarts the silence").isTrue();

        client.advance(LINGER_TIMEOUT);

        assertThat(client.channel.isOpen()).isFalse();
        assertThat(client.hasNoTimers()).isTrue();
    }

    @Test
    void shouldCloseAfterLingerTimeWhenClientKeepsSending() {
        client.send(head(1L << 40, ""));
        Duration step = Duration.ofSeconds(1);
        long steps = Duration.ofNanos(LingeringCloseHandler.LINGER_TIME_NANOS).dividedBy(step);
        for (long i = 1; i < steps; i++) {
            client.advance(step);
            client.send(new byte[100]);
        }
        assertThat(client.channel.isOpen()).isTrue();

        client.advance(step);

        assertThat(client.channel.isOpen()).isFalse();
    }

    @Test
    void shouldCloseAtOnceWhenDeclaredLengthHasBeenDiscarded() {
        int declared = LIMIT + 5000;
        client.send(head(declared, ""));
        client.send(new byte[declared - 1]);
        assertThat(client.channel.isOpen()).isTrue();

        client.send(new byte[1]);

        assertThat(client.channel.isOpen()).isFalse();
        assertThat(client.output()).startsWith("HTTP/1.1 413 ");
    }

    @Test
    void shouldAnswer413AndCloseAfterDiscardLimitWhenChunkedBodyExceedsLimit() {
        String chunk = Integer.toHexString(LIMIT) + "\r\n" + "x".repeat(LIMIT) + "\r\n";
        client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                + chunk + chunk);
        assertThat(client.output()).startsWith("HTTP/1.1 413 ").contains("\"type\":\"bad_request_error\"");

        byte[] megabyte = new byte[1024 * 1024];
        for (long sent = 0; sent < LingeringCloseHandler.MAX_DISCARD_BYTES - megabyte.length; sent += megabyte.length) {
            client.send(megabyte);
        }
        assertThat(client.channel.isOpen()).isTrue();
        client.send(megabyte);

        assertThat(client.channel.isOpen()).isFalse();
        assertThat(client.requests).isEmpty();
    }

    @Test
    void shouldAnswerOpenAi413WithoutContinueWhenExpectContinueDeclaresOversizedBody() {
        byte[] request = head(LIMIT + 1L, "Expect: 100-continue\r\n").getBytes(StandardCharsets.US_ASCII);
        String whole = normalize(exchange(request, request.length));

        assertThat(whole).startsWith("HTTP/1.1 413 Request Entity Too Large\r\n")
                .doesNotContain("100 Continue")
                .contains("\"type\":\"bad_request_error\"");
        for (int split = 1; split < request.length; split++) {
            assertThat(normalize(exchange(request, split))).as("split at byte %d", split).isEqualTo(whole);
        }
    }

    @Test
    void shouldSend100ContinueAndAggregateWhenExpectedBodyFits() {
        String body = "{\"model\":\"m\",\"input\":\"x\"}";
        client.send(head(body.length(), "Expect: 100-continue\r\n"));
        assertThat(client.output()).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");

        client.send(body);

        assertThat(client.requests).hasSize(1);
        assertThat(client.requests.get(0).content().toString(StandardCharsets.UTF_8)).isEqualTo(body);
    }

    /** Feeds {@code bytes} to a fresh pipeline in two reads split before index {@code split}; returns the output. */
    private static String exchange(byte[] bytes, int split) {
        try (ClientPipeline fresh = new ClientPipeline(ClientTimeouts.DEFAULTS)) {
            fresh.send(Arrays.copyOfRange(bytes, 0, split));
            if (split < bytes.length) {
                fresh.send(Arrays.copyOfRange(bytes, split, bytes.length));
            }
            return fresh.output();
        }
    }

    private static String normalize(String response) {
        return response.replaceAll("x-litellm-call-id: [0-9a-f-]+", "x-litellm-call-id: ID");
    }

    private static String head(long contentLength, String extraHeaders) {
        return "POST /v1/embeddings HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" + extraHeaders
                + "Content-Length: " + contentLength + "\r\n\r\n";
    }
}
