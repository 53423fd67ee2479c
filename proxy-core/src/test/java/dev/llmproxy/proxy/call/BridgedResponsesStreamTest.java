package dev.llmproxy.proxy.call;

import static dev.llmproxy.proxy.call.CallHarness.head;
import static dev.llmproxy.proxy.call.CallHarness.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.upstream.EmbeddedUpstream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code /v1/responses} stream bridged to an Anthropic deployment, on in-memory channels (see {@link CallHarness}):
 * what the client has been sent, flushed, once each read cycle of the provider's connection ends. The client's
 * channel only hands out what was flushed, so an event held back or written without a flush shows up as missing.
 */
class BridgedResponsesStreamTest {
    private static final String CONFIG = """
            model_list:
              - model_name: claude
                litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-ant, timeout: 5}
                model_info: {id: dep-claude}
            """;
    private static final String REQUEST = "{\"model\":\"claude\",\"input\":\"hi\",\"stream\":true}";
    private static final Pattern EVENT_TYPE = Pattern.compile("(?m)^event: (\\S+)$");

    @TempDir
    Path dir;

    private CallHarness harness;

    @BeforeEach
    void setUp() {
        harness = new CallHarness(dir, CONFIG);
        harness.endpoint = Endpoint.RESPONSES;
    }

    @AfterEach
    void tearDown() {
        harness.close();
    }

    @Test
    void shouldWriteAndFlushEachBridgedEventInTheReadCycleItsSourceArrivedIn() {
        harness.start("claude", REQUEST);
        EmbeddedUpstream.Connection connection = harness.upstream.last();
        connection.request().release();

        // The provider's head comes with message_start, content_block_start and ping, as Anthropic sends them.
        connection.respond(eventStreamHead(), content(anthropic("message_start", "{\"type\":\"message_start\","
                + "\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],"
                + "\"model\":\"claude-sonnet-4-5\",\"stop_reason\":null,\"usage\":{\"input_tokens\":9,"
                + "\"output_tokens\":1}}}")
                + anthropic("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
                + anthropic("ping", "{\"type\":\"ping\"}")));
        List<HttpObject> opened = harness.received();
        assertThat(head(opened)).isNotNull();
        assertThat(head(opened).status().code()).isEqualTo(200);
        assertThat(types(opened)).containsExactly("response.created", "response.in_progress");

        connection.respond(content(delta("Hel")));
        assertThat(types(harness.received()))
                .containsExactly("response.output_item.added", "response.content_part.added",
                        "response.output_text.delta");
        for (String piece : new String[] {"lo", " wor", "ld"}) {
            connection.respond(content(delta(piece)));
            assertThat(types(harness.received())).as(piece).containsExactly("response.output_text.delta");
        }

        connection.respond(new DefaultLastHttpContent(Unpooled.copiedBuffer(
                anthropic("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
                        + anthropic("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
                        + "\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":4}}")
                        + anthropic("message_stop", "{\"type\":\"message_stop\"}"), StandardCharsets.UTF_8)));
        List<HttpObject> closing = harness.received();
        assertThat(closing.get(closing.size() - 1)).isInstanceOf(LastHttpContent.class);
        String end = text(closing);
        assertThat(typesOf(end)).containsExactly("response.output_text.done", "response.content_part.done",
                "response.output_item.done", "response.completed");
        assertThat(end).contains("\"text\":\"Hello world\"").contains("\"input_tokens\":9")
                .contains("\"output_tokens\":4");
        assertThat(harness.record().status()).isEqualTo(200);
    }

    /** The event types among {@code parts}, in order; releases them. */
    private static List<String> types(List<HttpObject> parts) {
        return typesOf(text(parts));
    }

    private static List<String> typesOf(String text) {
        List<String> types = new ArrayList<>();
        Matcher matcher = EVENT_TYPE.matcher(text);
        while (matcher.find()) {
            types.add(matcher.group(1));
        }
        return types;
    }

    private static HttpResponse eventStreamHead() {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
        return head;
    }

    private static HttpContent content(String text) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    private static String delta(String text) {
        return anthropic("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"text_delta\",\"text\":\"" + text + "\"}}");
    }

    private static String anthropic(String type, String json) {
        return "event: " + type + "\ndata: " + json + "\n\n";
    }
}
