package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link ClientTimeoutHandler} in the client pipeline, on a mock clock: which timeout fires when, and with what. */
class ClientTimeoutHandlerTest {
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(75);
    private static final Duration HEADER = Duration.ofSeconds(60);
    private static final Duration BODY = Duration.ofSeconds(60);
    private static final Duration NANO = Duration.ofNanos(1);
    private static final String GET = "GET /v1/models HTTP/1.1\r\nHost: localhost\r\n\r\n";

    private final ClientPipeline client = new ClientPipeline(new ClientTimeouts(KEEP_ALIVE, HEADER, BODY));

    @AfterEach
    void tearDown() {
        client.close();
    }

    @Test
    void shouldCloseSilentlyWhenNewConnectionSendsNothingWithinKeepAlive() {
        client.advance(KEEP_ALIVE.minus(NANO));
        assertThat(client.channel.isOpen()).isTrue();

        client.advance(NANO);

        assertThat(client.channel.isOpen()).isFalse();
        assertThat(client.output()).isEmpty();
        assertThat(client.hasNoTimers()).isTrue();
    }

    @Test
    void shouldCountKeepAliveFromLastResponseWhenConnectionWasUsed() {
        client.advance(Duration.ofSeconds(70));
        client.send(GET);
        client.advance(Duration.ofSeconds(10));
        client.respond(ok("{}"));
        client.advance(KEEP_ALIVE.minus(NANO));
        assertThat(client.channel.isOpen()).isTrue();

        client.advance(NANO);

        assertThat(client.channel.isOpen()).isFalse();
        assertThat(client.output()).startsWith("HTTP/1.1 200 OK");
    }

    @Test
    void shouldAnswer408AndCloseWhenHeadIsIncompleteAfterHeaderTimeout() {
        client.advance(Duration.ofSeconds(30));
        client.send("POST /v1/chat/completions HTTP/1.1\r\n");
        for (int i = 0; i < 5; i++) {
            client.advance(Duration.ofSeconds(10));
            client.send("X-Slow: " + i + "\r\n");
        }
        client.advance(Duration.ofSeconds(10).minus(NANO));
        assertThat(client.output()).as("a trickle does not extend the header timeout (a total)").isEmpty();

        client.advance(NANO);

        String response = client.output();
        assertThat(response).startsWith("HTTP/1.1 408 Request Timeout\r\n")
                .containsIgnoringCase("connection: close")
                .contains("\"type\":\"timeout\"")
                .contains("client_header_timeout");
        client.advance(Duration.ofNanos(LingeringCloseHandler.LINGER_TIMEOUT_NANOS));
        assertThat(client.channel.isOpen()).isFalse();
        assertThat(client.requests).isEmpty();
        assertThat(client.hasNoTimers()).isTrue();
    }

    @Test
    void shouldAnswer408AndCloseWhenBodyIsSilentLongerThanBodyTimeout() {
        client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{");
        for (int i = 0; i < 5; i++) {
            client.advance(BODY.minus(NANO));
            client.send("          ");
        }
        assertThat(client.output()).as("each read restarts the body timeout").isEmpty();
        client.advance(BODY.minus(NANO));
        assertThat(client.output()).isEmpty();

        client.advance(NANO);

        assertThat(client.output()).startsWith("HTTP/1.1 408 Request Timeout\r\n")
                .contains("\"type\":\"timeout\"")
                .contains("client_body_timeout");
        client.send("more of the body");
        client.advance(Duration.ofNanos(LingeringCloseHandler.LINGER_TIMEOUT_NANOS));
        assertThat(client.channel.isOpen()).isFalse();
        assertThat(client.requests).isEmpty();
    }

    @Test
    void shouldNotTimeOutWhenResponseIsPendingOrStreamingForLong() {
        client.send(GET);
        client.advance(Duration.ofMinutes(10));
        assertThat(client.channel.isOpen()).as("no response yet").isTrue();

        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpUtil.setTransferEncodingChunked(head, true);
        client.respond(head);
        for (int i = 0; i < 10; i++) {
            client.advance(Duration.ofMinutes(3));
            client.respond(new DefaultHttpContent(Unpooled.copiedBuffer("data: x\n\n", StandardCharsets.US_ASCII)));
        }
        assertThat(client.channel.isOpen()).as("streaming").isTrue();

        client.respond(LastHttpContent.EMPTY_LAST_CONTENT);
        client.advance(KEEP_ALIVE.minus(NANO));
        assertThat(client.channel.isOpen()).isTrue();
        client.advance(NANO);
        assertThat(client.channel.isOpen()).isFalse();
        assertThat(client.output()).doesNotContain("408");
    }

    @Test
    void shouldNotCloseWhenLastResponseBytesAreStillQueuedAtKeepAliveExpiry() {
        client.send(GET);
        client.respondWithoutFlush(ok("{\"slow\":\"reader\"}"));

        client.advance(KEEP_ALIVE);

        assertThat(client.channel.isOpen()).as("the client is reading slowly, not idle").isTrue();
        assertThat(client.output()).startsWith("HTTP/1.1 200 OK").contains("slow");
        client.advance(KEEP_ALIVE.minus(NANO));
        assertThat(client.channel.isOpen()).isTrue();
        client.advance(NANO);
        assertThat(client.channel.isOpen()).isFalse();
    }

    @Test
    void shouldAnswerPipelinedRequestsInOrderWithoutTimeoutWhenFirstResponseIsSlow() {
        client.send(GET + GET);
        assertThat(client.requests).hasSize(2);

        client.advance(Duration.ofMinutes(5));
        client.respond(ok("{\"n\":1}"));
        client.advance(Duration.ofMinutes(5));
        client.respond(ok("{\"n\":2}"));

        String responses = client.output();
        assertThat(responses.indexOf("{\"n\":2}")).isGreaterThan(responses.indexOf("{\"n\":1}"));
        assertThat(responses).doesNotContain("408");
        assertThat(client.channel.isOpen()).isTrue();
        client.send(GET);
        assertThat(client.requests).hasSize(3);
        client.respond(ok("{\"n\":3}"));
        client.advance(KEEP_ALIVE);
        assertThat(client.channel.isOpen()).isFalse();
    }

    @Test
    void shouldApplyBodyTimeoutWhenOnly100ContinueWasWritten() {
        client.send("POST /v1/embeddings HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\n"
                + "Content-Length: 10\r\n\r\n");
        assertThat(client.output()).startsWith("HTTP/1.1 100 Continue\r\n");

        client.advance(BODY);

        assertThat(client.output()).startsWith("HTTP/1.1 408 ");
    }

    @Test
    void shouldLeaveNoTimerWhenChannelIsClosed() {
        client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{");

        client.channel.close();

        assertThat(client.hasNoTimers()).isTrue();
    }

    @Test
    void shouldLeaveNoTimerWhenHandlersAreRemoved() {
        client.channel.pipeline().remove(ServerInitializer.TIMEOUTS);

        assertThat(client.hasNoTimers()).isTrue();
        client.advance(KEEP_ALIVE.multipliedBy(2));
        assertThat(client.channel.isOpen()).isTrue();
    }

    private static FullHttpResponse ok(String json) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        return response;
    }
}
