package dev.llmproxy.codec.messages;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.sse.SseEventFramer;
import dev.llmproxy.codec.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** OpenAI chunk streams into Anthropic's Messages stream, whole and split at every byte. */
class MessagesStreamTest {
    private static final String HEAD = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
            + "\"model\":\"gpt-4o\",";
    private static final String TEXT_STREAM = event(HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
            + "\"content\":\"\"},\"finish_reason\":null}]}")
            + event(HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"},\"finish_reason\":null}]}")
            + event(HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo \\\"you\\\"\"},"
                    + "\"finish_reason\":null}]}")
            + event(HEAD + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}")
            + event(HEAD + "\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,"
                    + "\"total_tokens\":15,\"prompt_tokens_details\":{\"cached_tokens\":2}}}")
            + event("[DONE]");
    private static final String EXPECTED_TEXT = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":"
            + "{\"id\":\"msg_chatcmpl-1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"gpt-4o\","
            + "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":0,\"output_tokens\":0}}}\n\n"
            + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
            + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
            + "event: ping\ndata: {\"type\":\"ping\"}\n\n"
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
            + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}\n\n"
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
            + "\"delta\":{\"type\":\"text_delta\",\"text\":\"lo \\\"you\\\"\"}}\n\n"
            + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
            + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
            + "\"stop_sequence\":null},\"usage\":{\"input_tokens\":10,\"output_tokens\":3,"
            + "\"cache_read_input_tokens\":2}}\n\n"
            + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

    @Test
    void shouldWriteAnthropicEventOrderWhenOpenAiStreamsText() {
        TrackingAllocator alloc = new TrackingAllocator();
        Result result = run(alloc, TEXT_STREAM, TEXT_STREAM.length());

        assertThat(result.output).isEqualTo(EXPECTED_TEXT);
        assertThat(result.usage).isEqualTo(Usage.of(12, 3));
        alloc.assertAllReleased("text stream");
    }

    @Test
    void shouldGiveSameEventsWhenStreamIsSplitAtEveryByte() {
        TrackingAllocator alloc = new TrackingAllocator();
        for (int at = 0; at <= TEXT_STREAM.length(); at++) {
            assertThat(run(alloc, TEXT_STREAM, at).output).as("split at %d", at).isEqualTo(EXPECTED_TEXT);
        }
        alloc.assertAllReleased("split streams");
    }

    @Test
    void shouldTranslateEachEventWhenItArrivesNotAtTheEnd() {
        TrackingAllocator alloc = new TrackingAllocator();
        MessagesStream stream = new MessagesStream(alloc);

        String first = chunk(stream, HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}");

        assertThat(first).contains("message_start").contains("content_block_start").contains("\"text\":\"Hi\"");
        assertThat(stream.isDone()).isFalse();
        assertThat(chunk(stream, HEAD + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}"))
                .isEqualTo("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
        assertThat(drain(stream.finish())).contains("\"stop_reason\":\"max_tokens\"").endsWith("message_stop\"}\n\n");
        assertThat(stream.finish()).isNull();
        alloc.assertAllReleased("events");
    }

    @Test
    void shouldOpenThinkingTextAndToolBlocksInOrderWhenDeltasMix() {
        TrackingAllocator alloc = new TrackingAllocator();
        MessagesStream stream = new MessagesStream(alloc);
        StringBuilder out = new StringBuilder();

        out.append(chunk(stream, HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"Let me think\"}}]}"));
        out.append(chunk(stream, HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Checking.\"}}]}"));
        out.append(chunk(stream, HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
                + "\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}}]}"));
        out.append(chunk(stream, HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
                + "\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]}}]}"));
        out.append(chunk(stream, HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
                + "\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}]}}]}"));
        out.append(chunk(stream, HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,"
                + "\"id\":\"call_2\",\"function\":{\"name\":\"get_time\",\"arguments\":\"{}\"}}]}}]}"));
        out.append(chunk(stream, HEAD + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}],"
                + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7}}"));

        assertThat(types(out.toString())).containsExactly("message_start",
                "content_block_start", "ping", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_stop",
                "message_delta", "message_stop");
        assertThat(out.toString())
                .contains("\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}")
                .contains("{\"type\":\"thinking_delta\",\"thinking\":\"Let me think\"}")
                .contains("\"index\":1,\"content_block\":{\"type\":\"text\",\"text\":\"\"}")
                .contains("\"index\":2,\"content_block\":{\"type\":\"tool_use\",\"id\":\"call_1\","
                        + "\"name\":\"get_weather\",\"input\":{}}")
                .contains("{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\":\"}")
                .contains("\"index\":3,\"content_block\":{\"type\":\"tool_use\",\"id\":\"call_2\","
                        + "\"name\":\"get_time\",\"input\":{}}")
                .contains("\"stop_reason\":\"tool_use\"")
                .contains("\"usage\":{\"input_tokens\":5,\"output_tokens\":7}");
        assertThat(stream.isDone()).isTrue();
        alloc.assertAllReleased("events");
    }

    @Test
    void shouldEndWithErrorEventWhenStreamIsCutBeforeFinish() {
        TrackingAllocator alloc = new TrackingAllocator();
        String cut = event(HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}");

        String output = run(alloc, cut, cut.length()).output;

        assertThat(output).contains("text_delta").endsWith("event: error\ndata: {\"type\":\"error\",\"error\":"
                + "{\"type\":\"api_error\",\"message\":\"The provider's stream ended before the response was "
                + "complete\"}}\n\n");
        alloc.assertAllReleased("cut stream");
    }

    @Test
    void shouldEndWithErrorEventWhenChunkIsNotJson() {
        TrackingAllocator alloc = new TrackingAllocator();
        String broken = event(HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}")
                + event("{\"choices\":[{\"delta\":") + event(HEAD + "\"choices\":[{\"delta\":{\"content\":\"x\"}}]}");

        String output = run(alloc, broken, broken.length()).output;

        assertThat(output).endsWith("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\","
                + "\"message\":\"The provider sent an invalid stream event\"}}\n\n");
        assertThat(output).doesNotContain("\"text\":\"x\"");
        alloc.assertAllReleased("broken stream");
    }

    @Test
    void shouldPassProviderErrorTypeWhenErrorChunkArrives() {
        TrackingAllocator alloc = new TrackingAllocator();
        String failing = event("{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"rate_limit_error\"}}");

        String output = run(alloc, failing, failing.length()).output;

        assertThat(output).isEqualTo("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":"
                + "\"rate_limit_error\",\"message\":\"Rate limit reached\"}}\n\n");
        alloc.assertAllReleased("error stream");
    }

    @Test
    void shouldCloseAtDoneWhenProviderSendsNoUsage() {
        TrackingAllocator alloc = new TrackingAllocator();
        String noUsage = event(HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"},"
                + "\"finish_reason\":\"stop\"}]}") + event("[DONE]") + event(HEAD + "\"choices\":[]}");

        Result result = run(alloc, noUsage, noUsage.length());

        assertThat(types(result.output)).containsExactly("message_start", "content_block_start", "ping",
                "content_block_delta", "content_block_stop", "message_delta", "message_stop");
        assertThat(result.output).contains("\"usage\":{\"input_tokens\":0,\"output_tokens\":0}}");
        assertThat(result.usage).isNull();
        alloc.assertAllReleased("stream without usage");
    }

    @Test
    void shouldTranslateFramedEventsWhenAnotherTranslatorWroteThem() {
        TrackingAllocator alloc = new TrackingAllocator();
        MessagesStream stream = new MessagesStream(alloc);
        ByteBuf framed = alloc.heapBuffer().writeBytes(TEXT_STREAM.getBytes(StandardCharsets.UTF_8));

        String output = drain(stream.onEvents(framed));
        framed.release();

        assertThat(output).isEqualTo(EXPECTED_TEXT);
        alloc.assertAllReleased("framed events");
    }

    static String event(String data) {
        return "data: " + data + "\n\n";
    }

    @Test
    void shouldEndWithAnErrorEventWhenTheProviderSentNoEventAtAll() {
        // Found by MessagesStreamFuzzTest: no data line at all, and an unfinished line at the end.
        String garbage = "\r\u0010data* {\"id\":\"c\"(\"model\":\"m,\"choices\":\u0000\u0010data* {\"id\u05c5\"ch[\u0001"
                + "\rces\":[";
        TrackingAllocator alloc = new TrackingAllocator();

        String output = run(alloc, garbage, 3).output();

        assertThat(types(output)).as(output).containsExactly("error");
        alloc.assertAllReleased("messages translation");
    }

    @Test
    void shouldSendSignaturesRedactedThinkingClientToolNamesAndCacheWritesWhenStreamIsSplitAtEveryByte() {
        ToolNames.Builder builder = new ToolNames.Builder();
        String longName = "mcp__server__" + "x".repeat(60);
        String shortName = builder.add(longName);
        ToolNames names = builder.build();
        String input = event(HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"plan\","
                + "\"thinking_blocks\":[{\"type\":\"thinking\",\"thinking\":\"plan\"}]}}]}")
                + event(HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"thinking_blocks\":[{\"type\":\"thinking\","
                + "\"thinking\":\"\",\"signature\":\"sig==\"}]}}]}")
                + event(HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"thinking_blocks\":[{\"type\":"
                + "\"redacted_thinking\",\"data\":\"enc\"}]}}]}")
                + event(HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c1\","
                + "\"type\":\"function\",\"function\":{\"name\":\"" + shortName + "\",\"arguments\":\"{}\"}}]}}]}")
                + event(HEAD + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}")
                + event(HEAD + "\"choices\":[],\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":4,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":30},\"cache_creation_input_tokens\":20,"
                + "\"cache_read_input_tokens\":30}}")
                + event("[DONE]");
        String expected = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":"
                + "{\"id\":\"msg_chatcmpl-1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],"
                + "\"model\":\"gpt-4o\",\"stop_reason\":null,\"stop_sequence\":null,"
                + "\"usage\":{\"input_tokens\":0,\"output_tokens\":0}}}\n\n"
                + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
                + "\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}\n\n"
                + "event: ping\ndata: {\"type\":\"ping\"}\n\n"
                + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"plan\"}}\n\n"
                + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"signature_delta\",\"signature\":\"sig==\"}}\n\n"
                + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
                + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,"
                + "\"content_block\":{\"type\":\"redacted_thinking\",\"data\":\"enc\"}}\n\n"
                + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n"
                + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":2,"
                + "\"content_block\":{\"type\":\"tool_use\",\"id\":\"c1\",\"name\":\"" + longName + "\","
                + "\"input\":{}}}\n\n"
                + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":2,"
                + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{}\"}}\n\n"
                + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":2}\n\n"
                + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\","
                + "\"stop_sequence\":null},\"usage\":{\"input_tokens\":50,\"output_tokens\":4,"
                + "\"cache_creation_input_tokens\":20,\"cache_read_input_tokens\":30}}\n\n"
                + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
        TrackingAllocator alloc = new TrackingAllocator();

        for (int at = 0; at <= input.length(); at++) {
            assertThat(run(alloc, input, at, names).output).as("split at %d", at).isEqualTo(expected);
        }
        alloc.assertAllReleased("split streams");
    }

    static List<String> types(String events) {
        List<String> types = new ArrayList<>();
        for (String line : events.split("\n")) {
            if (line.startsWith("event: ")) {
                types.add(line.substring(7));
            }
        }
        return types;
    }

    private static String chunk(MessagesStream stream, String data) {
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        return drain(stream.onChunk(buf, 0, bytes.length));
    }

    record Result(String output, Usage usage) {}

    /** The proxy's way: the framer cuts events, the translator replaces each, the end comes from finish(). */
    static Result run(TrackingAllocator alloc, String input, int at) {
        return run(alloc, input, at, ToolNames.NONE);
    }

    static Result run(TrackingAllocator alloc, String input, int at, ToolNames names) {
        byte[] stream = input.getBytes(StandardCharsets.UTF_8);
        at = Math.min(at, stream.length);
        MessagesStream translator = new MessagesStream(alloc, names);
        SseEventFramer framer = new SseEventFramer(alloc, 1 << 16, new SseEventFramer.RewritingVisitor() {
            @Override
            public SseEventFramer.Decision onEvent(ByteBuf data, int index, int length, SseEventFramer.Emitter out) {
                ByteBuf events = translator.onChunk(data, index, length);
                if (events.isReadable()) {
                    out.emit(events);
                } else {
                    events.release();
                }
                return SseEventFramer.Decision.REPLACE;
            }

            @Override
            public boolean keepsOtherEvents() {
                return false;
            }
        });
        StringBuilder out = new StringBuilder();
        for (byte[] read : new byte[][] {Arrays.copyOfRange(stream, 0, at),
            Arrays.copyOfRange(stream, at, stream.length)}) {
            ByteBuf chunk = alloc.heapBuffer().writeBytes(read);
            try {
                out.append(drain(framer.frame(chunk)));
            } finally {
                chunk.release();
            }
        }
        framer.finish().release();
        ByteBuf end = translator.finish();
        if (end != null) {
            out.append(drain(end));
        }
        return new Result(out.toString(), translator.usage());
    }

    static String drain(ByteBuf buf) {
        try {
            return buf.toString(StandardCharsets.UTF_8);
        } finally {
            buf.release();
        }
    }
}
