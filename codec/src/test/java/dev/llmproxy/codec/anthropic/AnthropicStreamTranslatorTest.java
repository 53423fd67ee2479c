package dev.llmproxy.codec.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.sse.SseEventFramer;
import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Anthropic stream events (the formats of Anthropic's "Streaming Messages" documentation) through the SSE framer and
 * {@link AnthropicStreamTranslator} into OpenAI chunks.
 */
class AnthropicStreamTranslatorTest {
    private static final long CREATED = 1_700_000_000L;
    private static final String HEAD = "data: {\"id\":\"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY\","
            + "\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"claude-opus-4-6\",\"choices\":[";
    private static final String NOT_FINISHED = ",\"logprobs\":null,\"finish_reason\":null}]}\n\n";

    static final String MESSAGE_START = "event: message_start\ndata: {\"type\": \"message_start\", \"message\": "
            + "{\"id\": \"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY\", \"type\": \"message\", \"role\": \"assistant\", "
            + "\"content\": [], \"model\": \"claude-opus-4-6\", \"stop_reason\": null, \"stop_sequence\": null, "
            + "\"usage\": {\"input_tokens\": 25, \"output_tokens\": 1}}}\n\n";
    static final String TEXT_STREAM = MESSAGE_START
            + "event: content_block_start\ndata: {\"type\": \"content_block_start\", \"index\": 0, "
            + "\"content_block\": {\"type\": \"text\", \"text\": \"\"}}\n\n"
            + "event: ping\ndata: {\"type\": \"ping\"}\n\n"
            + "event: content_block_delta\ndata: {\"type\": \"content_block_delta\", \"index\": 0, "
            + "\"delta\": {\"type\": \"text_delta\", \"text\": \"Hello\"}}\n\n"
            + "event: content_block_delta\ndata: {\"type\": \"content_block_delta\", \"index\": 0, "
            + "\"delta\": {\"type\": \"text_delta\", \"text\": \"!\"}}\n\n"
            + "event: content_block_stop\ndata: {\"type\": \"content_block_stop\", \"index\": 0}\n\n"
            + "event: message_delta\ndata: {\"type\": \"message_delta\", \"delta\": {\"stop_reason\": \"end_turn\", "
            + "\"stop_sequence\":null}, \"usage\": {\"output_tokens\": 15}}\n\n"
            + "event: message_stop\ndata: {\"type\": \"message_stop\"}\n\n";
    static final String TOOL_STREAM = MESSAGE_START
            + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
            + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
            + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Let me check.\"}}\n\n"
            + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
            + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,"
            + "\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_01T1x1fJ34qAmk2tNTrN7Up6\","
            + "\"name\":\"get_weather\",\"input\":{}}}\n\n"
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,"
            + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}\n\n"
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,"
            + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"location\\\": \\\"San Fra\"}}\n\n"
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,"
            + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"ncisco, CA\\\"}\"}}\n\n"
            + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n"
            + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":2,"
            + "\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_02\",\"name\":\"get_time\",\"input\":{}}}\n\n"
            + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":2}\n\n"
            + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\","
            + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":89}}\n\n"
            + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

    /**
     * For the thousands of translations of the split test: paranoid leak tracking records a stack trace on nearly
     * every buffer access, so there the test checks every emitted buffer's reference count itself.
     */
    private static final ByteBufAllocator UNTRACKED = new UnpooledByteBufAllocator(false, true);

    private final List<ByteBuf> emitted = new ArrayList<>();

    @Test
    void shouldTranslateDocumentedTextStreamWhenUsageIsAsked() {
        Result result = translate(TEXT_STREAM, true);

        assertThat(result.text).isEqualTo(HEAD + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}"
                + NOT_FINISHED
                + HEAD + "{\"index\":0,\"delta\":{\"content\":\"Hello\"}" + NOT_FINISHED
                + HEAD + "{\"index\":0,\"delta\":{\"content\":\"!\"}" + NOT_FINISHED
                + HEAD + "{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\n"
                + HEAD + "],\"usage\":{\"prompt_tokens\":25,\"completion_tokens\":15,\"total_tokens\":40,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":0},\"cache_creation_input_tokens\":0,"
                + "\"cache_read_input_tokens\":0}}\n\n"
                + "data: [DONE]\n\n");
        assertThat(result.usage).isEqualTo(Usage.of(25, 15));
    }

    @Test
    void shouldLeaveUsageChunkOutWhenClientDidNotAskForIt() {
        Result result = translate(TEXT_STREAM, false);

        assertThat(result.text).doesNotContain("\"usage\"")
                .endsWith("\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
        assertThat(result.usage).as("still recorded").isEqualTo(Usage.of(25, 15));
    }

    @Test
    void shouldCountToolCallsFromZeroAndStreamArgumentsWhenToolsAreUsed() {
        String text = translate(TOOL_STREAM, false).text;

        assertThat(text).contains(HEAD + "{\"index\":0,\"delta\":{\"content\":\"Let me check.\"}" + NOT_FINISHED
                + HEAD + "{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
                + "\"id\":\"toolu_01T1x1fJ34qAmk2tNTrN7Up6\","
                + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}" + NOT_FINISHED
                + HEAD + "{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
                + "\"{\\\"location\\\": \\\"San Fra\"}}]}" + NOT_FINISHED
                + HEAD + "{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
                + "\"ncisco, CA\\\"}\"}}]}" + NOT_FINISHED
                + HEAD + "{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"toolu_02\","
                + "\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"arguments\":\"\"}}]}" + NOT_FINISHED
                + HEAD + "{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":"
                + "\"{}\"}}]}" + NOT_FINISHED
                + HEAD + "{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"tool_calls\"}]}\n\n"
                + "data: [DONE]\n\n");
    }

    @Test
    void shouldStreamThinkingAsReasoningContentAndSignedBlocksWhenThinkingIsOn() {
        String stream = MESSAGE_START
                + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
                + "\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}\n\n"
                + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"Let me think.\"}}\n\n"
                + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"signature_delta\",\"signature\":\"EqQBCgIYAhIM1gbcDa9GJwZA2b3h\"}}\n\n"
                + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
                + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,"
                + "\"content_block\":{\"type\":\"redacted_thinking\",\"data\":\"EmwKAhgB\"}}\n\n"
                + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n"
                + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\"},"
                + "\"usage\":{\"output_tokens\":3}}\n\n"
                + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

        String text = translate(stream, false).text;

        assertThat(text).contains(HEAD + "{\"index\":0,\"delta\":{\"reasoning_content\":\"Let me think.\","
                + "\"thinking_blocks\":[{\"type\":\"thinking\",\"thinking\":\"Let me think.\"}]}" + NOT_FINISHED
                + HEAD + "{\"index\":0,\"delta\":{\"thinking_blocks\":[{\"type\":\"thinking\",\"thinking\":\"\","
                + "\"signature\":\"EqQBCgIYAhIM1gbcDa9GJwZA2b3h\"}]}" + NOT_FINISHED
                + HEAD + "{\"index\":0,\"delta\":{\"thinking_blocks\":[{\"type\":\"redacted_thinking\","
                + "\"data\":\"EmwKAhgB\"}]}" + NOT_FINISHED
                + HEAD + "{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"length\"}");
    }

    @Test
    void shouldStreamJsonToolArgumentsAsContentWhenJsonModeToolIsCalled() {
        String stream = MESSAGE_START
                + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
                + "\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_9\",\"name\":\"json_tool_call\","
                + "\"input\":{}}}\n\n"
                + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"a\\\":1}\"}}\n\n"
                + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
                + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},"
                + "\"usage\":{\"output_tokens\":5}}\n\n"
                + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

        String text = translate(stream, false).text;

        assertThat(text).contains(HEAD + "{\"index\":0,\"delta\":{\"content\":\"{\\\"a\\\":1}\"}" + NOT_FINISHED
                + HEAD + "{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}")
                .doesNotContain("tool_calls");
    }

    @Test
    void shouldCopyTextAsWrittenWhenItHoldsEscapesAndUnicode() {
        String stream = TEXT_STREAM.replace("\"text\": \"Hello\"",
                "\"text\": \"\\\"caf\\u00e9\\\" \u00e9\\n\ud83d\ude00\"");

        String text = translate(stream, false).text;

        assertThat(text).contains("{\"index\":0,\"delta\":{\"content\":\"\\\"caf\\u00e9\\\" \u00e9\\n\ud83d\ude00\"}");
    }

    @Test
    void shouldEndWithOpenAiErrorEventAndNoDoneWhenAnthropicSendsErrorEvent() {
        String stream = MESSAGE_START
                + "event: error\ndata: {\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", "
                + "\"message\": \"Overloaded\"}}\n\n"
                + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
                + "\"content_block\":{\"type\":\"text\",\"text\":\"late\"}}\n\n";

        Result result = translate(stream, true);

        assertThat(result.text).endsWith("data: {\"error\":{\"message\":\"AnthropicException - Overloaded\","
                + "\"type\":\"overloaded_error\",\"param\":null,\"code\":\"500\"}}\n\n")
                .doesNotContain("late").doesNotContain("[DONE]");
    }

    @Test
    void shouldEndWithErrorEventWhenStreamStopsBeforeMessageStop() {
        String cut = TEXT_STREAM.substring(0, TEXT_STREAM.indexOf("event: message_delta"));

        String text = translate(cut, true).text;

        assertThat(text).endsWith("data: {\"error\":{\"message\":\"AnthropicException - The stream from Anthropic "
                + "ended before message_stop\",\"type\":\"api_error\",\"param\":null,\"code\":\"500\"}}\n\n")
                .doesNotContain("[DONE]");
    }

    @Test
    void shouldEndWithErrorEventWhenEventIsNotJson() {
        String stream = MESSAGE_START + "event: content_block_delta\ndata: {\"type\":\"content_block_del\n\n"
                + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

        String text = translate(stream, false).text;

        assertThat(text).contains("\"type\":\"api_error\"").contains("Invalid event in the stream")
                .doesNotContain("[DONE]");
    }

    @Test
    void shouldIgnoreUnknownEventTypesAndBlocksWhenAnthropicAddsNewOnes() {
        String stream = MESSAGE_START
                + "event: brand_new\ndata: {\"type\":\"brand_new\",\"x\":[1,{\"y\":null}]}\n\n"
                + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
                + "\"content_block\":{\"type\":\"server_tool_use\",\"id\":\"srvtoolu_1\",\"name\":\"web_search\"}}\n\n"
                + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
                + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
                + "\"usage\":{\"output_tokens\":2}}\n\n"
                + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

        String text = translate(stream, false).text;

        assertThat(text).doesNotContain("brand_new").doesNotContain("web_search").endsWith("data: [DONE]\n\n");
    }

    @Test
    void shouldCountCacheTokensAsPromptWhenMessageStartReportsThem() {
        String stream = TEXT_STREAM.replace("\"usage\": {\"input_tokens\": 25, \"output_tokens\": 1}",
                "\"usage\": {\"input_tokens\": 5, \"cache_creation_input_tokens\": 7, "
                        + "\"cache_read_input_tokens\": 13, \"output_tokens\": 1}");

        Result result = translate(stream, true);

        assertThat(result.usage).isEqualTo(Usage.of(25, 15));
        assertThat(result.text).contains("\"usage\":{\"prompt_tokens\":25,\"completion_tokens\":15,"
                + "\"total_tokens\":40,\"prompt_tokens_details\":{\"cached_tokens\":13},"
                + "\"cache_creation_input_tokens\":7,\"cache_read_input_tokens\":13}");
    }

    @Test
    void shouldSendFinishChunkAtEndWhenNoMessageDeltaGaveOne() {
        String stream = TEXT_STREAM.replace("\"stop_reason\": \"end_turn\", ", "");

        String text = translate(stream, false).text;

        assertThat(text).endsWith(HEAD + "{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}"
                + "\n\ndata: [DONE]\n\n");
    }

    /**
     * A stream with every kind of event, LF and CRLF, split at every byte, each split with the next buffer kind in
     * turn (heap, direct, composite, offset).
     */
    @Test
    void shouldGiveSameOutputWhenStreamIsSplitAtEveryByte() {
        TestBuffers.Kind[] kinds = TestBuffers.Kind.values();
        String stream = MESSAGE_START
                + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
                + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
                + "event: ping\ndata: {\"type\": \"ping\"}\n\n"
                + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"text_delta\",\"text\":\"caf\u00e9 \\\"x\\\"\"}}\n\n"
                + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,"
                + "\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"f\",\"input\":{}}}\n\n"
                + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,"
                + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"a\\\":1}\"}}\n\n"
                + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},"
                + "\"usage\":{\"output_tokens\":15}}\n\n"
                + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
        for (String variant : new String[] {stream, stream.replace("\n", "\r\n")}) {
            byte[] bytes = variant.getBytes(StandardCharsets.UTF_8);
            String whole = translate(UNTRACKED, TestBuffers.Kind.HEAP, bytes, bytes.length, true).text;
            for (int at = 1; at < bytes.length; at++) {
                assertThat(translate(UNTRACKED, kinds[at % kinds.length], bytes, at, true).text)
                        .as("split at %d", at).isEqualTo(whole);
                assertThat(emitted).allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
                emitted.clear();
            }
        }
    }

    @Test
    void shouldReleaseEveryEmittedBufferWhenStreamIsTranslated() {
        translate(TOOL_STREAM, true);
        translate(TEXT_STREAM.replace("event: message_stop", "event: error\ndata: nope\n\nevent: x"), true);

        assertThat(emitted).isNotEmpty().allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
    }

    private Result translate(String stream, boolean includeUsage) {
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        return translate(TestBuffers.ALLOC, TestBuffers.Kind.DIRECT, bytes, bytes.length, includeUsage);
    }

    /** Feeds {@code bytes[0, at)} then {@code bytes[at, end)} as two reads of the given buffer kind. */
    private Result translate(ByteBufAllocator alloc, TestBuffers.Kind kind, byte[] bytes, int at,
            boolean includeUsage) {
        AnthropicStreamTranslator translator = new AnthropicStreamTranslator(alloc, CREATED, includeUsage);
        SseEventFramer framer = new SseEventFramer(alloc, 1 << 16, (data, index, length, out) ->
                translator.onEvent(data, index, length, events -> {
                    emitted.add(events);
                    out.emit(events);
                }));
        StringBuilder text = new StringBuilder();
        byte[] first = java.util.Arrays.copyOfRange(bytes, 0, at);
        byte[] rest = java.util.Arrays.copyOfRange(bytes, at, bytes.length);
        for (byte[] read : new byte[][] {first, rest}) {
            if (read.length == 0) {
                continue;
            }
            ByteBuf chunk = alloc == UNTRACKED ? untracked(kind, read) : TestBuffers.of(kind, read);
            try {
                text.append(TestBuffers.drain(framer.frame(chunk)));
            } finally {
                chunk.release();
            }
        }
        text.append(TestBuffers.drain(framer.finish()));
        ByteBuf end = translator.finish();
        if (end != null) {
            text.append(TestBuffers.drain(end));
        }
        return new Result(text.toString(), translator.usage());
    }

    /** {@link TestBuffers#of} from the untracked allocator. */
    private static ByteBuf untracked(TestBuffers.Kind kind, byte[] bytes) {
        switch (kind) {
            case HEAP:
                return UNTRACKED.heapBuffer(bytes.length).writeBytes(bytes);
            case DIRECT:
                return UNTRACKED.directBuffer(bytes.length).writeBytes(bytes);
            case COMPOSITE:
                int half = bytes.length / 2;
                return UNTRACKED.compositeBuffer()
                        .addComponent(true, UNTRACKED.heapBuffer(half).writeBytes(bytes, 0, half))
                        .addComponent(true, UNTRACKED.directBuffer().writeBytes(bytes, half, bytes.length - half));
            default:
                ByteBuf buf = UNTRACKED.heapBuffer(bytes.length + 3).writeBytes(new byte[] {'x', 'y', 'z'});
                return buf.writeBytes(bytes).readerIndex(3);
        }
    }

    private record Result(String text, @Nullable Usage usage) {
    }
}
