package dev.llmproxy.proxy.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.codec.json.RequestInfo;
import dev.llmproxy.codec.json.RequestScanner;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.sse.SseEventFramer;
import dev.llmproxy.proxy.upstream.Origin;
import dev.llmproxy.proxy.upstream.TlsPolicy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The Anthropic adapter's translator as the attempt drives it: bodies, errors with their status, and streams. */
class AnthropicTranslatorTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L), ZoneOffset.UTC);
    private static final AnthropicAdapter ADAPTER = new AnthropicAdapter(
            new BaseUrl(new Origin(true, "api.anthropic.com", 443, TlsPolicy.VERIFY), ""), UpstreamAuth.NONE);

    @Test
    void shouldTranslateBodyKeepStatusAndReportUsageWhenMessageIsValid() {
        ResponseTranslator translator = translator("{\"messages\":[]}");

        String body = drain(translator.translateBody(ALLOC, buffer("{\"id\":\"msg_1\",\"type\":\"message\","
                + "\"role\":\"assistant\",\"model\":\"claude\",\"content\":[{\"type\":\"text\",\"text\":\"Hi\"}],"
                + "\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":3,\"output_tokens\":2}}")));

        assertThat(body).startsWith("{\"id\":\"msg_1\",\"object\":\"chat.completion\",\"created\":1700000000,");
        assertThat(translator.clientStatus(200)).isEqualTo(200);
        assertThat(translator.usage()).isEqualTo(Usage.of(3, 2));
    }

    @Test
    void shouldMapStatusWhenErrorIsOverloaded() {
        ResponseTranslator translator = translator("{\"messages\":[]}");
        ByteBuf error =
                buffer("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");

        assertThat(drain(translator.translateError(ALLOC, 529, error))).contains("\"code\":\"500\"");
        assertThat(error.refCnt()).isZero();
        assertThat(translator.clientStatus(529)).isEqualTo(500);
        assertThat(translator.usage()).isNull();
    }

    @Test
    void shouldAnswer500WhenSuccessfulBodyIsNotAMessage() {
        ResponseTranslator translator = translator("{\"messages\":[]}");

        assertThat(drain(translator.translateBody(ALLOC, buffer("not json")))).contains("\"type\":\"api_error\"");
        assertThat(translator.clientStatus(200)).isEqualTo(500);
    }

    @Test
    void shouldEndStreamWithUsageAndDoneWhenClientAskedForUsage() {
        ResponseTranslator translator = translator("{\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        SseEventFramer framer = new SseEventFramer(ALLOC, 1 << 16, translator);
        ByteBuf events = buffer("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\","
                + "\"model\":\"c\",\"usage\":{\"input_tokens\":4,\"output_tokens\":1}}}\n\n"
                + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
                + "\"usage\":{\"output_tokens\":6}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        String text;
        try {
            text = drain(framer.frame(events)) + drain(framer.finish()) + drain(translator.finishStream(ALLOC));
        } finally {
            events.release();
        }

        assertThat(text).contains("\"finish_reason\":\"stop\"")
                .contains("\"choices\":[],\"usage\":{\"prompt_tokens\":4,"
                + "\"completion_tokens\":6").endsWith("data: [DONE]\n\n");
        assertThat(translator.usage()).isEqualTo(Usage.of(4, 6));
    }

    @Test
    void shouldAskForNoStreamUsageAndRefuseTwoArgumentTranslatorWhenAdapterIsAnthropic() {
        ByteBuf body = buffer("{\"stream\":true}");
        RequestInfo info;
        try {
            info = RequestScanner.scan(body);
        } finally {
            body.release();
        }

        assertThat(ADAPTER.asksForStreamUsage(Endpoint.CHAT_COMPLETIONS, info)).isFalse();
        assertThat(ADAPTER.requestPath("claude", Endpoint.CHAT_COMPLETIONS, true)).isEqualTo("/v1/messages");
        assertThatThrownBy(() -> ADAPTER.newTranslator(Endpoint.CHAT_COMPLETIONS, true))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    private static ResponseTranslator translator(String request) {
        ByteBuf body = buffer(request);
        try {
            RequestInfo info = RequestScanner.scan(body);
            return ADAPTER.newTranslator(Endpoint.CHAT_COMPLETIONS, info.stream(), info, CLOCK);
        } finally {
            body.release();
        }
    }

    private static ByteBuf buffer(String text) {
        return ALLOC.buffer().writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String drain(ByteBuf buf) {
        try {
            return buf.toString(StandardCharsets.UTF_8);
        } finally {
            buf.release();
        }
    }
}
