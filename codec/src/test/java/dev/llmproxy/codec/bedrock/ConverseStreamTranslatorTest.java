package dev.llmproxy.codec.bedrock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.testing.TrackingAllocator;
import dev.llmproxy.codec.translate.ChunkWriter;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** ConverseStream event-stream bodies through the decoder and {@link ConverseStreamTranslator} into OpenAI chunks. */
class ConverseStreamTranslatorTest {
    private static final String PREFIX = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\","
            + "\"created\":7,\"model\":\"m\",\"choices\":[";
    private static final String NOT_FINISHED = ",\"logprobs\":null,\"finish_reason\":null}]}\n\n";
    private final TrackingAllocator alloc = new TrackingAllocator();

    @Test
    void shouldTranslateATextStreamTheSameWhereverItIsSplit() {
        byte[] stream = EventFrames.concat(
                EventFrames.event("messageStart", "{\"role\":\"assistant\",\"p\":\"abcd\"}"),
                EventFrames.event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hel\"}}"),
                EventFrames.event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"lo \\\"x\\\"\"}}"),
                EventFrames.event("contentBlockStop", "{\"contentBlockIndex\":0}"),
                EventFrames.event("messageStop", "{\"stopReason\":\"end_turn\"}"),
                EventFrames.event("metadata", "{\"usage\":{\"inputTokens\":10,\"outputTokens\":3,\"totalTokens\":13,"
                        + "\"cacheReadInputTokens\":4},\"metrics\":{\"latencyMs\":100}}"));
        String expected = PREFIX + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}" + NOT_FINISHED
                + PREFIX + "{\"index\":0,\"delta\":{\"content\":\"Hel\"}" + NOT_FINISHED
                + PREFIX + "{\"index\":0,\"delta\":{\"content\":\"lo \\\"x\\\"\"}" + NOT_FINISHED
                + PREFIX + "{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\n"
                + PREFIX + "],\"usage\":{\"prompt_tokens\":14,\"completion_tokens\":3,\"total_tokens\":13,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":4},\"cache_creation_input_tokens\":0,"
                + "\"cache_read_input_tokens\":4}}\n\n"
                + "data: [DONE]\n\n";
        for (int at = 0; at <= stream.length; at++) {
            Result result = run(stream, at, true);
            assertThat(result.text).as("split at %d", at).isEqualTo(expected);
            assertThat(result.usage).isEqualTo(new Usage(14, 3, 13));
        }
        alloc.assertAllReleased("translation");
    }

    @Test
    void shouldStreamToolCallsNumberedFromZero() {
        byte[] stream = EventFrames.concat(
                EventFrames.event("messageStart", "{\"role\":\"assistant\"}"),
                EventFrames.event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Let me\"}}"),
                EventFrames.event("contentBlockStop", "{\"contentBlockIndex\":0}"),
                EventFrames.event("contentBlockStart", "{\"contentBlockIndex\":1,\"start\":{\"toolUse\":"
                        + "{\"toolUseId\":\"tooluse_1\",\"name\":\"get_weather\"}}}"),
                EventFrames.event("contentBlockDelta", "{\"contentBlockIndex\":1,\"delta\":{\"toolUse\":"
                        + "{\"input\":\"{\\\"city\\\":\"}}}"),
                EventFrames.event("contentBlockDelta", "{\"contentBlockIndex\":1,\"delta\":{\"toolUse\":"
                        + "{\"input\":\"\\\"Paris\\\"}\"}}}"),
                EventFrames.event("contentBlockStop", "{\"contentBlockIndex\":1}"),
                EventFrames.event("contentBlockStart", "{\"contentBlockIndex\":2,\"start\":{\"toolUse\":"
                        + "{\"toolUseId\":\"tooluse_2\",\"name\":\"now\"}}}"),
                EventFrames.event("contentBlockStop", "{\"contentBlockIndex\":2}"),
                EventFrames.event("messageStop", "{\"stopReason\":\"tool_use\"}"));
        String text = run(stream, stream.length, false).text;
        assertThat(text)
                .contains("{\"tool_calls\":[{\"index\":0,\"id\":\"tooluse_1\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}")
                .contains("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]}")
                .contains("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}]}")
                .contains("{\"tool_calls\":[{\"index\":1,\"id\":\"tooluse_2\"")
                .contains("{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"{}\"}}]}")
                .contains("\"finish_reason\":\"tool_calls\"")
                .endsWith("data: [DONE]\n\n")
                .doesNotContain("usage");
        alloc.assertAllReleased("translation");
    }

    @Test
    void shouldStreamReasoningWithItsSignature() {
        byte[] stream = EventFrames.concat(
                EventFrames.event("messageStart", "{\"role\":\"assistant\"}"),
                EventFrames.event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"reasoningContent\":"
                        + "{\"text\":\"hmm\"}}}"),
                EventFrames.event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"reasoningContent\":"
                        + "{\"signature\":\"sig\"}}}"),
                EventFrames.event("messageStop", "{\"stopReason\":\"max_tokens\"}"));
        assertThat(run(stream, 40, false).text)
                .contains("{\"reasoning_content\":\"hmm\",\"thinking_blocks\":[{\"type\":\"thinking\","
                        + "\"thinking\":\"hmm\"}]}")
                .contains("{\"thinking_blocks\":[{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"sig\"}]}")
                .contains("\"finish_reason\":\"length\"");
    }

    @Test
    void shouldEndWithAnErrorEventOnAnException() {
        byte[] stream = EventFrames.concat(
                EventFrames.event("messageStart", "{\"role\":\"assistant\"}"),
                EventFrames.event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"a\"}}"),
                EventFrames.exception("throttlingException", "Too many tokens, please wait"),
                EventFrames.event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"b\"}}"));
        String text = run(stream, 30, true).text;
        assertThat(text).endsWith("data: {\"error\":{\"message\":\"BedrockException - throttlingException Too many "
                + "tokens, please wait\",\"type\":\"rate_limit_error\",\"param\":null,\"code\":\"429\"}}\n\n")
                .doesNotContain("\"b\"").doesNotContain("[DONE]");
        alloc.assertAllReleased("translation");
    }

    @Test
    void shouldEndWithAnErrorEventWhenTheStreamIsCutOrCorrupt() {
        byte[] start = EventFrames.event("messageStart", "{\"role\":\"assistant\"}");
        byte[] stop = EventFrames.event("messageStop", "{\"stopReason\":\"end_turn\"}");
        byte[] metadata = EventFrames.event("metadata", "{\"usage\":{\"inputTokens\":1}}");
        assertThat(run(start, 3, false).text).endsWith("BedrockException - The stream from Bedrock ended before "
                + "messageStop\",\"type\":\"api_error\",\"param\":null,\"code\":\"500\"}}\n\n");
        byte[] cut = EventFrames.concat(start, stop, Arrays.copyOf(metadata, metadata.length - 1));
        assertThat(run(cut, 3, false).text).endsWith("BedrockException - The stream from Bedrock was cut inside a "
                + "message\",\"type\":\"api_error\",\"param\":null,\"code\":\"500\"}}\n\n");
        byte[] corrupt = EventFrames.concat(start, stop);
        corrupt[corrupt.length - 1] ^= 1;
        assertThat(run(corrupt, 3, false).text).endsWith("BedrockException - Invalid AWS event stream: the message "
                + "CRC does not match\",\"type\":\"api_error\",\"param\":null,\"code\":\"500\"}}\n\n");
        byte[] invalidJson = EventFrames.concat(start, EventFrames.event("contentBlockDelta", "{\"delta\":"), stop);
        assertThat(run(invalidJson, 3, false).text).contains("Invalid event in the stream: {\\\"delta\\\":")
                .doesNotContain("[DONE]");
        alloc.assertAllReleased("translation");
    }

    @Test
    void shouldIgnoreUnknownEventsAndFields() {
        byte[] stream = EventFrames.concat(
                EventFrames.event("messageStart", "{\"role\":\"assistant\",\"new\":[1,{\"x\":2}]}"),
                EventFrames.event("somethingNew", "{\"a\":1}"),
                EventFrames.event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"citation\":{}}}"),
                EventFrames.event("messageStop", "{\"stopReason\":\"guardrail_intervened\"}"));
        assertThat(run(stream, 0, false).text).contains("\"finish_reason\":\"content_filter\"")
                .endsWith("data: [DONE]\n\n");
    }

    private Result run(byte[] stream, int at, boolean includeUsage) {
        ConverseStreamTranslator translator = new ConverseStreamTranslator(new ChunkWriter(alloc, 7), "chatcmpl-1",
                "m", includeUsage);
        return new Result(EventFrames.translate(alloc, translator, stream, at), translator.usage());
    }

    private record Result(String text, Usage usage) {
    }
}
