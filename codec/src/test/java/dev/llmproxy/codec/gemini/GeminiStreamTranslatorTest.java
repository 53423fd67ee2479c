package dev.llmproxy.codec.gemini;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.sse.SseEventFramer;
import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Gemini {@code streamGenerateContent?alt=sse} streams (as Google sends them: CRLF-separated events, usage on every
 * chunk, no [DONE]) through the SSE framer and {@link GeminiStreamTranslator} into OpenAI chunks.
 */
class GeminiStreamTranslatorTest {
    private static final long CREATED = 1_700_000_000L;
    private static final String HEAD = "data: {\"id\":\"resp-1\",\"object\":\"chat.completion.chunk\","
            + "\"created\":1700000000,\"model\":\"gemini-2.5-flash\",\"choices\":[";
    private static final String NOT_FINISHED = ",\"logprobs\":null,\"finish_reason\":null}]}\n\n";

    static final String TEXT_STREAM = event("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hello\"}],"
            + "\"role\":\"model\"},\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":7,\"totalTokenCount\":7},"
            + "\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"resp-1\"}")
            + event("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\" caf\u00e9 \\\"x\\\"\"}],"
            + "\"role\":\"model\"},\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":7,\"totalTokenCount\":7},"
            + "\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"resp-1\"}")
            + event("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"\"}],\"role\":\"model\"},"
            + "\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":7,"
            + "\"candidatesTokenCount\":4,\"thoughtsTokenCount\":10,\"totalTokenCount\":21},"
            + "\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"resp-1\"}");
    static final String TOOL_STREAM = event("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Checking\","
            + "\"thought\":true},{\"functionCall\":{\"name\":\"get_weather\",\"args\":{\"city\":\"Paris\"}},"
            + "\"thoughtSignature\":\"c2ln\"}],\"role\":\"model\"},\"index\":0}],"
            + "\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"resp-1\"}")
            + event("{\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"now\",\"args\":{}}}],"
            + "\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{"
            + "\"promptTokenCount\":9,\"candidatesTokenCount\":3,\"totalTokenCount\":12},"
            + "\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"resp-1\"}");

    /** For the thousands of translations of the split test (see AnthropicStreamTranslatorTest). */
    private static final ByteBufAllocator UNTRACKED = new UnpooledByteBufAllocator(false, true);

    private final List<ByteBuf> emitted = new ArrayList<>();

    @Test
    void shouldTranslateTextStreamWithThoughtTokensInUsageWhenUsageIsAsked() {
        Result result = translate(TEXT_STREAM, true);

        assertThat(result.text).isEqualTo(HEAD + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}"
                + NOT_FINISHED
                + HEAD + "{\"index\":0,\"delta\":{\"content\":\"Hello\"}" + NOT_FINISHED
                + HEAD + "{\"index\":0,\"delta\":{\"content\":\" caf\u00e9 \\\"x\\\"\"}" + NOT_FINISHED
                + HEAD + "{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\n"
                + HEAD + "],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":14,\"total_tokens\":21,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":0},"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":10}}}\n\n"
                + "data: [DONE]\n\n");
        assertThat(result.usage).isEqualTo(new Usage(7, 14, 21));
    }

    @Test
    void shouldLeaveUsageChunkOutWhenClientDidNotAskForIt() {
        Result result = translate(TEXT_STREAM, false);

        assertThat(result.text).doesNotContain("\"usage\"")
                .endsWith("\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
        assertThat(result.usage).as("still recorded").isEqualTo(new Usage(7, 14, 21));
    }

    @Test
    void shouldStreamWholeToolCallsCountedFromZeroAndFinishWithToolCalls() {
        String text = translate(TOOL_STREAM, false).text;

        assertThat(text).isEqualTo(HEAD + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}"
                + NOT_FINISHED
                + HEAD + "{\"index\":0,\"delta\":{\"reasoning_content\":\"Checking\"}" + NOT_FINISHED
                + HEAD + "{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_resp-1_0__thought__c2ln\","
                + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":"
                + "\"{\\\"city\\\":\\\"Paris\\\"}\"}}]}" + NOT_FINISHED
                + HEAD + "{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"call_resp-1_1\","
                + "\"type\":\"function\",\"function\":{\"name\":\"now\",\"arguments\":\"{}\"}}]}" + NOT_FINISHED
                + HEAD + "{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"tool_calls\"}]}\n\n"
                + "data: [DONE]\n\n");
    }

    @Test
    void shouldEndWithOpenAiErrorEventAndNoDoneWhenGoogleSendsErrorInStream() {
        String stream = TEXT_STREAM.substring(0, TEXT_STREAM.indexOf("\r\n\r\n") + 4)
                + event("{\"error\":{\"code\":429,\"message\":\"Resource has been exhausted (e.g. check quota).\","
                + "\"status\":\"RESOURCE_EXHAUSTED\"}}")
                + TEXT_STREAM.substring(TEXT_STREAM.indexOf("\r\n\r\n") + 4);

        String text = translate(stream, true).text;

        assertThat(text).endsWith("data: {\"error\":{\"message\":\"GeminiException - Resource has been exhausted "
                + "(e.g. check quota).\",\"type\":\"rate_limit_error\",\"param\":null,\"code\":\"429\"}}\n\n")
                .doesNotContain("[DONE]").doesNotContain("\"finish_reason\":\"stop\"");
    }

    @Test
    void shouldEndWithErrorEventWhenStreamStopsBeforeFinishReason() {
        String text = translate(TEXT_STREAM.substring(0, TEXT_STREAM.lastIndexOf("data:")), true).text;

        assertThat(text).endsWith("data: {\"error\":{\"message\":\"GeminiException - The stream from Gemini ended "
                + "before a finishReason\",\"type\":\"api_error\",\"param\":null,\"code\":\"500\"}}\n\n");
    }

    @Test
    void shouldEndWithErrorEventWhenEventIsNotJson() {
        String text = translate(event("{\"candidates\":[") + TEXT_STREAM, true).text;

        assertThat(text).startsWith("data: {\"error\":{\"message\":\"GeminiException - Invalid event in the stream: "
                + "{\\\"candidates\\\":[\"").doesNotContain("Hello").doesNotContain("[DONE]");
    }

    @Test
    void shouldAnswerContentFilterWhenPromptIsBlocked() {
        String text = translate(event("{\"promptFeedback\":{\"blockReason\":\"PROHIBITED_CONTENT\"},"
                + "\"usageMetadata\":{\"promptTokenCount\":3,\"totalTokenCount\":3},\"responseId\":\"resp-1\","
                + "\"modelVersion\":\"gemini-2.5-flash\"}"), false).text;

        assertThat(text).endsWith(HEAD + "{\"index\":0,\"delta\":{},\"logprobs\":null,"
                + "\"finish_reason\":\"content_filter\"}]}\n\ndata: [DONE]\n\n");
    }

    /** The stream with LF and CRLF line ends, split at every byte, each split with the next buffer kind in turn. */
    @Test
    void shouldGiveSameOutputWhenStreamIsSplitAtEveryByte() {
        TestBuffers.Kind[] kinds = TestBuffers.Kind.values();
        String stream = TOOL_STREAM.replace("\"finishReason\":\"STOP\",", "") + TEXT_STREAM;
        for (String variant : new String[] {stream, stream.replace("\r\n", "\n")}) {
            byte[] bytes = variant.getBytes(StandardCharsets.UTF_8);
            String whole = translate(UNTRACKED, TestBuffers.Kind.HEAP, bytes, bytes.length, true).text;
            assertThat(whole).contains("get_weather").contains("caf\u00e9").endsWith("data: [DONE]\n\n");
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
        translate(TEXT_STREAM + event("not json") + TEXT_STREAM, true);

        assertThat(emitted).isNotEmpty().allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
    }

    private static String event(String json) {
        return "data: " + json + "\r\n\r\n";
    }

    private Result translate(String stream, boolean includeUsage) {
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        return translate(TestBuffers.ALLOC, TestBuffers.Kind.DIRECT, bytes, bytes.length, includeUsage);
    }

    /** Feeds {@code bytes[0, at)} then {@code bytes[at, end)} as two reads of the given buffer kind. */
    private Result translate(ByteBufAllocator alloc, TestBuffers.Kind kind, byte[] bytes, int at,
            boolean includeUsage) {
        GeminiStreamTranslator translator =
                new GeminiStreamTranslator(alloc, CREATED, "gemini-x", includeUsage, "Gemini");
        SseEventFramer framer = new SseEventFramer(alloc, 1 << 16, (data, index, length, out) ->
                translator.onEvent(data, index, length, events -> {
                    emitted.add(events);
                    out.emit(events);
                }));
        StringBuilder text = new StringBuilder();
        byte[][] parts = {Arrays.copyOfRange(bytes, 0, at), Arrays.copyOfRange(bytes, at, bytes.length)};
        for (byte[] read : parts) {
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
