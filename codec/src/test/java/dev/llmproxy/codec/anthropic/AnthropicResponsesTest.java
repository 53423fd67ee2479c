package dev.llmproxy.codec.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Anthropic Messages responses (the shapes of Anthropic's API reference) translated into chat.completion. */
class AnthropicResponsesTest {
    private static final long CREATED = 1_700_000_000L;
    static final String TEXT_RESPONSE = "{\"id\":\"msg_013Zva2CMHLNnXjNJJKqJ2EF\",\"type\":\"message\","
            + "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[{\"type\":\"text\","
            + "\"text\":\"Hi! My name is Claude.\"}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,"
            + "\"usage\":{\"input_tokens\":2095,\"output_tokens\":503}}";
    private static final String HEAD = "{\"id\":\"msg_013Zva2CMHLNnXjNJJKqJ2EF\",\"object\":\"chat.completion\","
            + "\"created\":1700000000,\"model\":\"claude-sonnet-4-5-20250929\",\"choices\":[{\"index\":0,";

    @ParameterizedTest
    @EnumSource(TestBuffers.Kind.class)
    void shouldTranslateDocumentedTextResponseWhenBufferIsOfAnyKind(TestBuffers.Kind kind) {
        TranslatedBody result = translate(kind, TEXT_RESPONSE);

        assertThat(result.status()).isEqualTo(200);
        assertThat(result.usage()).isEqualTo(Usage.of(2095, 503));
        assertThat(TestBuffers.drain(result.body())).isEqualTo(HEAD + "\"message\":{\"role\":\"assistant\","
                + "\"content\":\"Hi! My name is Claude.\"},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":2095,\"completion_tokens\":503,\"total_tokens\":2598,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":0},\"cache_creation_input_tokens\":0,"
                + "\"cache_read_input_tokens\":0}}");
    }

    @Test
    void shouldTurnToolUseIntoToolCallsAndThinkingIntoReasoningWhenBlocksAreMixed() {
        String body = TEXT_RESPONSE.replace("[{\"type\":\"text\",\"text\":\"Hi! My name is Claude.\"}]",
                "[{\"type\":\"thinking\",\"thinking\":\"Need weather.\",\"signature\":\"EqQB\"},"
                        + "{\"type\":\"redacted_thinking\",\"data\":\"EmwKAh\"},"
                        + "{\"type\":\"text\",\"text\":\"Let me look.\"},{\"type\":\"text\",\"text\":\" One moment.\"},"
                        + "{\"type\":\"tool_use\",\"id\":\"toolu_01A09q90qw90lq917835lq9\",\"name\":\"get_weather\","
                        + "\"input\":{\"location\": \"San Francisco, CA\", \"unit\": \"celsius\"}}]")
                .replace("end_turn", "tool_use");

        assertThat(TestBuffers.drain(translate(TestBuffers.Kind.HEAP, body).body())).contains(
                "\"message\":{\"role\":\"assistant\",\"content\":\"Let me look. One moment.\",\"tool_calls\":[{"
                + "\"id\":\"toolu_01A09q90qw90lq917835lq9\",\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":\"{\\\"location\\\": \\\"San Francisco, CA\\\", \\\"unit\\\": \\\"celsius\\\"}\"}}],"
                + "\"reasoning_content\":\"Need weather.\",\"thinking_blocks\":[{\"type\":\"thinking\","
                + "\"thinking\":\"Need weather.\",\"signature\":\"EqQB\"},{\"type\":\"redacted_thinking\","
                + "\"data\":\"EmwKAh\"}]},\"logprobs\":null,\"finish_reason\":\"tool_calls\"}");
    }

    @Test
    void shouldReturnJsonToolInputAsContentWhenJsonModeToolWasCalled() {
        String body = TEXT_RESPONSE.replace("[{\"type\":\"text\",\"text\":\"Hi! My name is Claude.\"}]",
                "[{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"json_tool_call\",\"input\":{\"name\":\"Ada\"}}]")
                .replace("end_turn", "tool_use");

        assertThat(TestBuffers.drain(translate(TestBuffers.Kind.HEAP, body).body())).contains(
                "\"message\":{\"role\":\"assistant\",\"content\":\"{\\\"name\\\":\\\"Ada\\\"}\"},\"logprobs\":null,"
                + "\"finish_reason\":\"stop\"}");
    }

    @Test
    void shouldWriteNullContentWhenResponseHasNoText() {
        String body = TEXT_RESPONSE.replace("[{\"type\":\"text\",\"text\":\"Hi! My name is Claude.\"}]", "[]");

        assertThat(TestBuffers.drain(translate(TestBuffers.Kind.HEAP, body).body()))
                .contains("\"message\":{\"role\":\"assistant\",\"content\":null}");
    }

    @Test
    void shouldCountCacheReadAndCreationAsPromptTokensWhenCachingIsUsed() {
        String body = TEXT_RESPONSE.replace("{\"input_tokens\":2095,\"output_tokens\":503}",
                "{\"input_tokens\":50,\"cache_creation_input_tokens\":1000,\"cache_read_input_tokens\":2000,"
                        + "\"output_tokens\":503,\"server_tool_use\":{\"web_search_requests\":1}}");

        TranslatedBody result = translate(TestBuffers.Kind.HEAP, body);

        assertThat(result.usage()).isEqualTo(Usage.of(3050, 503));
        assertThat(TestBuffers.drain(result.body())).endsWith("\"usage\":{\"prompt_tokens\":3050,"
                + "\"completion_tokens\":503,\"total_tokens\":3553,\"prompt_tokens_details\":{\"cached_tokens\":2000},"
                + "\"cache_creation_input_tokens\":1000,\"cache_read_input_tokens\":2000}}");
    }

    @ParameterizedTest
    @CsvSource({"end_turn,stop", "stop_sequence,stop", "max_tokens,length", "tool_use,tool_calls",
        "refusal,content_filter", "pause_turn,stop", "something_new,stop"})
    void shouldMapStopReasonToFinishReason(String stopReason, String finishReason) {
        String body = TEXT_RESPONSE.replace("end_turn", stopReason);

        assertThat(TestBuffers.drain(translate(TestBuffers.Kind.HEAP, body).body()))
                .contains("\"finish_reason\":\"" + finishReason + "\"");
    }

    @Test
    void shouldAnswerWithMappedErrorWhenSuccessfulResponseCarriesAnError() {
        TranslatedBody result = translate(TestBuffers.Kind.HEAP,
                "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"Slow down\"}}");

        assertThat(result.status()).isEqualTo(429);
        assertThat(result.usage()).isNull();
        assertThat(TestBuffers.drain(result.body())).isEqualTo("{\"error\":{\"message\":\"AnthropicException - "
                + "Slow down\",\"type\":\"rate_limit_error\",\"param\":null,\"code\":\"429\"}}");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"<html>bad gateway</html>", "{\"id\":\"msg_1\",\"type\":\"message\"",
        "[1,2]", "{\"type\":\"completion\"}", "{\"type\":\"message\"} trailing"})
    void shouldAnswerWithApiErrorWhenBodyIsNotAMessage(String body) {
        TranslatedBody result = translate(TestBuffers.Kind.HEAP, body);

        assertThat(result.status()).isEqualTo(500);
        assertThat(TestBuffers.drain(result.body())).startsWith("{\"error\":{\"message\":\"AnthropicException - "
                + "Unexpected response from Anthropic: ").contains("\"type\":\"api_error\"");
    }

    private static TranslatedBody translate(TestBuffers.Kind kind, String body) {
        ByteBuf buf = TestBuffers.of(kind, body);
        try {
            return AnthropicResponses.translate(TestBuffers.ALLOC, buf, CREATED);
        } finally {
            buf.release();
        }
    }
}
