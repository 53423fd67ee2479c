package dev.llmproxy.codec.messages;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.openai.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Whole OpenAI answers and errors into Anthropic's shapes, and the usage of relayed Anthropic answers. */
class MessagesResponsesTest {

    @Test
    void shouldBuildMessageWithBlocksWhenChatCompletionHasTextAndTools() {
        TranslatedBody message = fromChat("{\"id\":\"chatcmpl-9\",\"object\":\"chat.completion\",\"model\":\"gpt-4o\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Let me check.\","
                + "\"reasoning_content\":\"Thinking\",\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},"
                + "\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":9,"
                + "\"total_tokens\":29,\"prompt_tokens_details\":{\"cached_tokens\":4}}}");

        assertThat(text(message)).isEqualTo("{\"id\":\"msg_chatcmpl-9\",\"type\":\"message\",\"role\":\"assistant\","
                + "\"model\":\"gpt-4o\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"Thinking\",\"signature\":\"\"},"
                + "{\"type\":\"text\",\"text\":\"Let me check.\"},{\"type\":\"tool_use\",\"id\":\"call_1\","
                + "\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}],\"stop_reason\":\"tool_use\","
                + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":16,\"output_tokens\":9,"
                + "\"cache_read_input_tokens\":4}}");
        assertThat(message.status()).isEqualTo(200);
        assertThat(message.usage()).isEqualTo(Usage.of(20, 9));
    }

    @Test
    void shouldAnswer502WhenBodyIsNotAChatCompletion() {
        TranslatedBody message = fromChat("<html>oops</html>");

        assertThat(message.status()).isEqualTo(502);
        assertThat(text(message)).isEqualTo("{\"type\":\"error\",\"error\":{\"type\":\"api_error\","
                + "\"message\":\"The provider's response is not a chat completion\"}}");
    }

    @Test
    void shouldWriteAnthropicErrorWhenOpenAiErrorArrives() {
        ByteBuf body = Unpooled.copiedBuffer("{\"error\":{\"message\":\"Rate limit\",\"type\":\"requests\","
                + "\"code\":\"429\"}}", StandardCharsets.UTF_8);
        ByteBuf error = MessagesErrors.fromOpenAi(UnpooledByteBufAllocator.DEFAULT, 429, body);

        assertThat(error.toString(StandardCharsets.UTF_8)).isEqualTo("{\"type\":\"error\",\"error\":"
                + "{\"type\":\"rate_limit_error\",\"message\":\"Rate limit\"}}");
        error.release();
        body.release();
        assertThat(MessagesErrors.type(529)).isEqualTo("overloaded_error");
        assertThat(MessagesErrors.type(401)).isEqualTo("authentication_error");
    }

    @Test
    void shouldReadUsageWhenAnthropicStreamRelaysMessageStartAndDelta() {
        MessagesUsage usage = new MessagesUsage();

        read(usage, "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"usage\":{\"input_tokens\":25,"
                + "\"cache_read_input_tokens\":5,\"cache_creation_input_tokens\":3,\"output_tokens\":1}}}");
        read(usage, "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
                + "\"usage\":{\"output_tokens\":15}}");
        read(usage, "not json");

        assertThat(usage.usage()).isEqualTo(Usage.of(33, 15));
    }

    private static void read(MessagesUsage usage, String json) {
        ByteBuf data = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
        usage.read(data, 0, data.readableBytes());
        data.release();
    }

    @Test
    void shouldRestoreShortenedToolNameKeepSignedThinkingAndReportCacheWritesWhenProviderAnswers() {
        ToolNames.Builder names = new ToolNames.Builder();
        String longName = "t".repeat(70);
        String shortName = names.add(longName);
        TranslatedBody message = fromChat("{\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":"
                + "{\"role\":\"assistant\",\"content\":null,\"reasoning_content\":\"plan\",\"thinking_blocks\":["
                + "{\"type\":\"thinking\",\"thinking\":\"plan\",\"signature\":\"sig\"},"
                + "{\"type\":\"redacted_thinking\",\"data\":\"enc\"}],\"tool_calls\":[{\"id\":\"c1\","
                + "\"type\":\"function\",\"function\":{\"name\":\"" + shortName + "\",\"arguments\":\"{}\"}}]},"
                + "\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":5,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":30},\"cache_creation_input_tokens\":20,"
                + "\"cache_read_input_tokens\":30}}", names.build());

        assertThat(text(message)).isEqualTo("{\"id\":\"msg_c\",\"type\":\"message\",\"role\":\"assistant\","
                + "\"model\":\"m\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"plan\",\"signature\":\"sig\"},"
                + "{\"type\":\"redacted_thinking\",\"data\":\"enc\"},{\"type\":\"tool_use\",\"id\":\"c1\","
                + "\"name\":\"" + longName + "\",\"input\":{}}],\"stop_reason\":\"tool_use\",\"stop_sequence\":null,"
                + "\"usage\":{\"input_tokens\":50,\"output_tokens\":5,\"cache_creation_input_tokens\":20,"
                + "\"cache_read_input_tokens\":30}}");
    }

    private static TranslatedBody fromChat(String json) {
        return fromChat(json, ToolNames.NONE);
    }

    private static TranslatedBody fromChat(String json, ToolNames names) {
        ByteBuf body = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
        try {
            return MessagesResponses.fromChat(UnpooledByteBufAllocator.DEFAULT, body, 200, names);
        } finally {
            body.release();
        }
    }

    private static String text(TranslatedBody body) {
        try {
            return body.body().toString(StandardCharsets.UTF_8);
        } finally {
            body.body().release();
        }
    }
}
