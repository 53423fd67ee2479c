package dev.llmproxy.codec.bedrock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.openai.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Whole Converse responses and Bedrock error bodies in OpenAI's shape (provider spec, sections 5.4 and 5.7). */
class ConverseResponsesTest {

    @Test
    void shouldTranslateTextAndUsage() {
        TranslatedBody translated = translate("{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":"
                + "[{\"text\":\"Hello\"},{\"text\":\" there\"}]}},\"stopReason\":\"end_turn\",\"usage\":"
                + "{\"inputTokens\":5,\"outputTokens\":2,\"totalTokens\":9,\"cacheWriteInputTokens\":2},"
                + "\"metrics\":{\"latencyMs\":10}}");
        assertThat(text(translated)).isEqualTo("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":7,"
                + "\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
                + "\"Hello there\"},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":7,"
                + "\"completion_tokens\":2,\"total_tokens\":9,\"prompt_tokens_details\":{\"cached_tokens\":0},"
                + "\"cache_creation_input_tokens\":2,\"cache_read_input_tokens\":0}}");
        assertThat(translated.usage()).isEqualTo(new Usage(7, 2, 9));
        assertThat(translated.status()).isEqualTo(200);
    }

    @Test
    void shouldTranslateToolUseAndReasoning() {
        String text = text(translate("{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":["
                + "{\"reasoningContent\":{\"reasoningText\":{\"text\":\"think\",\"signature\":\"s\"}}},"
                + "{\"toolUse\":{\"toolUseId\":\"t1\",\"name\":\"f\",\"input\":{\"a\":[1,true,null]}}}]}},"
                + "\"stopReason\":\"tool_use\",\"usage\":{\"inputTokens\":1,\"outputTokens\":1,\"totalTokens\":2}}"));
        assertThat(text).contains("\"content\":null,\"reasoning_content\":\"think\",\"thinking_blocks\":[{\"type\":"
                + "\"thinking\",\"thinking\":\"think\",\"signature\":\"s\"}],\"tool_calls\":[{\"id\":\"t1\","
                + "\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\":[1,true,null]}\"}}]}")
                .contains("\"finish_reason\":\"tool_calls\"");
    }

    @Test
    void shouldAnswerA500ForABodyThatIsNotAConverseResponse() {
        TranslatedBody translated = translate("<html>");
        assertThat(translated.status()).isEqualTo(500);
        assertThat(text(translated)).contains("Unexpected response from Bedrock: <html>");
    }

    @Test
    void shouldMapErrorBodies() {
        assertThat(error(429, "{\"message\":\"Too many requests, please wait before trying again.\"}"))
                .isEqualTo("429 {\"error\":{\"message\":\"BedrockException - Too many requests, please wait before "
                        + "trying again.\",\"type\":\"rate_limit_error\",\"param\":null,\"code\":\"429\"}}");
        assertThat(error(403, "{\"Message\":\"The security token included in the request is invalid.\"}"))
                .startsWith("403 {\"error\":{\"message\":\"BedrockException - The security token");
        assertThat(error(400, "{\"message\":\"Input is too long for requested model.\"}")).startsWith("400 ");
        assertThat(error(503, "Service Unavailable")).contains("Unexpected response from Bedrock: Service "
                + "Unavailable").startsWith("503 ");
        assertThat(BedrockErrors.exceptionStatus("modelStreamErrorException")).isEqualTo(424);
        assertThat(BedrockErrors.exceptionStatus("serviceUnavailableException")).isEqualTo(503);
    }

    private static TranslatedBody translate(String json) {
        ByteBuf body = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
        try {
            return ConverseResponses.translate(UnpooledByteBufAllocator.DEFAULT, body, "chatcmpl-1", 7, "m");
        } finally {
            body.release();
        }
    }

    private static String error(int status, String json) {
        ByteBuf body = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
        try {
            TranslatedBody translated = BedrockErrors.translate(UnpooledByteBufAllocator.DEFAULT, status, body);
            return translated.status() + " " + text(translated);
        } finally {
            body.release();
        }
    }

    private static String text(TranslatedBody translated) {
        try {
            return translated.body().toString(StandardCharsets.UTF_8);
        } finally {
            translated.body().release();
        }
    }
}
