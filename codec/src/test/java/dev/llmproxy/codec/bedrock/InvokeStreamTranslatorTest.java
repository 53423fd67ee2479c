package dev.llmproxy.codec.bedrock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.testing.TestBuffers;
import dev.llmproxy.codec.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * InvokeModelWithResponseStream bodies for Claude (Anthropic's events base64'd in {@code chunk} frames) through the
 * decoder and {@link InvokeStreamTranslator} into OpenAI chunks; and the InvokeModel request body.
 */
class InvokeStreamTranslatorTest {
    private static final String PREFIX = "data: {\"id\":\"msg_1\",\"object\":\"chat.completion.chunk\","
            + "\"created\":7,\"model\":\"claude-3-5-sonnet-20240620\",\"choices\":[";
    private static final String NOT_FINISHED = ",\"logprobs\":null,\"finish_reason\":null}]}\n\n";
    private static final byte[] START = chunk("{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":"
            + "\"message\",\"role\":\"assistant\",\"model\":\"claude-3-5-sonnet-20240620\",\"content\":[],"
            + "\"stop_reason\":null,\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}");
    private final TrackingAllocator alloc = new TrackingAllocator();

    private static byte[] chunk(String anthropicEvent) {
        return EventFrames.event("chunk", "{\"bytes\":\"" + Base64.getEncoder().encodeToString(
                anthropicEvent.getBytes(StandardCharsets.UTF_8)) + "\",\"p\":\"abcdefghij\"}");
    }

    @Test
    void shouldTranslateATextStreamTheSameWhereverItIsSplit() {
        byte[] stream = EventFrames.concat(START,
                chunk("{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\","
                        + "\"text\":\"\"}}"),
                chunk("{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
                        + "\"text\":\"Hi \\\"x\\\"\"}}"),
                chunk("{\"type\":\"content_block_stop\",\"index\":0}"),
                chunk("{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":"
                        + "{\"output_tokens\":4}}"),
                chunk("{\"type\":\"message_stop\",\"amazon-bedrock-invocationMetrics\":{\"inputTokenCount\":12,"
                        + "\"outputTokenCount\":4}}"));
        String expected = PREFIX + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}" + NOT_FINISHED
                + PREFIX + "{\"index\":0,\"delta\":{\"content\":\"Hi \\\"x\\\"\"}" + NOT_FINISHED
                + PREFIX + "{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\n";
        for (int at = 0; at <= stream.length; at++) {
            InvokeStreamTranslator translator = new InvokeStreamTranslator(alloc, 7, false);
            String text = EventFrames.translate(alloc, translator, stream, at);
            assertThat(text).as("split at %d", at).isEqualTo(expected + "data: [DONE]\n\n");
            assertThat(translator.usage()).isEqualTo(new Usage(12, 4, 16));
        }
        alloc.assertAllReleased("translation");
    }

    @Test
    void shouldEndWithAnErrorEventOnAnExceptionOrABadChunk() {
        byte[] delta = chunk("{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
                + "\"text\":\"a\"}}");
        byte[] throttled = EventFrames.concat(START, delta,
                EventFrames.exception("throttlingException", "Too many tokens, please wait"), delta);
        assertThat(EventFrames.translate(alloc, new InvokeStreamTranslator(alloc, 7, false), throttled, 11))
                .endsWith("data: {\"error\":{\"message\":\"BedrockException - throttlingException Too many tokens, "
                        + "please wait\",\"type\":\"rate_limit_error\",\"param\":null,\"code\":\"429\"}}\n\n")
                .doesNotContain("[DONE]");
        byte[] notBase64 = EventFrames.concat(START, EventFrames.event("chunk", "{\"bytes\":\"@@@\"}"), delta);
        assertThat(EventFrames.translate(alloc, new InvokeStreamTranslator(alloc, 7, false), notBase64, 5))
                .contains("Invalid event in the stream: {\\\"bytes\\\":\\\"@@@\\\"}").doesNotContain("[DONE]");
        byte[] cut = EventFrames.concat(START, Arrays.copyOf(delta, delta.length - 2));
        assertThat(EventFrames.translate(alloc, new InvokeStreamTranslator(alloc, 7, false), cut, 5))
                .endsWith("\"type\":\"api_error\",\"param\":null,\"code\":\"500\"}}\n\n");
        byte[] noStop = EventFrames.concat(START, delta);
        assertThat(EventFrames.translate(alloc, new InvokeStreamTranslator(alloc, 7, false), noStop, 5))
                .contains("ended before message_stop").doesNotContain("[DONE]");
        alloc.assertAllReleased("translation");
    }

    @Test
    void shouldWriteTheBedrockVersionWithoutModelOrStream() {
        ByteBuf anthropic = TestBuffers.of(TestBuffers.Kind.HEAP, "{\"anthropic_version\":\"vertex-2023-10-16\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":64,\"stream\":true,"
                + "\"tools\":[{\"name\":\"f\",\"input_schema\":{\"type\":\"object\"}}]}");
        try {
            assertThat(TestBuffers.drain(InvokeRequests.anthropic(TestBuffers.ALLOC, anthropic)))
                    .isEqualTo("{\"anthropic_version\":\"bedrock-2023-05-31\",\"messages\":[{\"role\":\"user\","
                            + "\"content\":\"Hi\"}],\"max_tokens\":64,\"tools\":[{\"name\":\"f\",\"input_schema\":"
                            + "{\"type\":\"object\"}}]}");
        } finally {
            anthropic.release();
        }
    }
}
