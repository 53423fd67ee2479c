package dev.llmproxy.codec.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.codec.openai.InvalidRequestException;
import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** OpenAI chat requests, as the OpenAI SDKs send them, encoded as Anthropic Messages requests. */
class AnthropicRequestEncoderTest {
    private static final byte[] MODEL = "\"claude-sonnet-4-5\"".getBytes(StandardCharsets.UTF_8);
    private static final String HELLO = "[{\"role\":\"user\",\"content\":\"Hello\"}]";
    private static final String HELLO_OUT =
            "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hello\"}]}]";

    @Test
    void shouldEncodeMinimalRequestWithDefaultMaxTokensWhenNoneIsGiven() {
        assertThat(encode("{\"model\":\"anthropic/claude-sonnet-4-5\",\"messages\":" + HELLO + "}"))
                .isEqualTo("{\"model\":\"claude-sonnet-4-5\"," + HELLO_OUT + ",\"max_tokens\":4096}");
    }

    @ParameterizedTest
    @EnumSource(TestBuffers.Kind.class)
    void shouldReadBodyWhenBufferIsOfAnyKind(TestBuffers.Kind kind) {
        String request = "{\"messages\":" + HELLO + ",\"max_tokens\":100,\"stream\":true}";
        ByteBuf body = TestBuffers.of(kind, request);
        int readerIndex = body.readerIndex();
        try {
            assertThat(TestBuffers.drain(AnthropicRequestEncoder.encode(TestBuffers.ALLOC, body, MODEL)))
                    .isEqualTo("{\"model\":\"claude-sonnet-4-5\"," + HELLO_OUT + ",\"max_tokens\":100,"
                            + "\"stream\":true}");
            assertThat(body.readerIndex()).isEqualTo(readerIndex);
        } finally {
            body.release();
        }
    }

    @Test
    void shouldMoveSystemMessagesToSystemWhereverTheyAre() {
        String out = encode("{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"Hi\"},"
                + "{\"role\":\"developer\",\"content\":[{\"type\":\"text\",\"text\":\"No emoji.\","
                + "\"cache_control\":{\"type\":\"ephemeral\"}}]},"
                + "{\"role\":\"system\",\"content\":\"\"}]}");

        assertThat(out).isEqualTo("{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\","
                + "\"content\":[{\"type\":\"text\",\"text\":\"Hi\"}]}],\"system\":[{\"type\":\"text\","
                + "\"text\":\"Be brief.\"},{\"type\":\"text\",\"text\":\"No emoji.\","
                + "\"cache_control\":{\"type\":\"ephemeral\"}}],\"max_tokens\":4096}");
    }

    @Test
    void shouldTurnToolCallsAndResultsIntoToolUseAndMergedUserTurnWhenConversationUsesTools() {
        String out = encode("{\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris and Rome?\"},"
                + "{\"role\":\"assistant\",\"content\":\"Checking.\",\"tool_calls\":["
                + "{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}},"
                + "{\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":\"{\\\"city\\\":\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"sunny\"},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_2\",\"content\":[{\"type\":\"text\",\"text\":\"rain\"}]},"
                + "{\"role\":\"user\",\"content\":\"Thanks\"}],"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}]}");

        assertThat(out).contains("{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"Checking.\"},"
                + "{\"type\":\"tool_use\",\"id\":\"call_1\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}},"
                + "{\"type\":\"tool_use\",\"id\":\"call_2\",\"name\":\"get_weather\",\"input\":{}}]},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"call_1\","
                + "\"content\":\"sunny\"},{\"type\":\"tool_result\",\"tool_use_id\":\"call_2\","
                + "\"content\":[{\"type\":\"text\",\"text\":\"rain\"}]},{\"type\":\"text\",\"text\":\"Thanks\"}]}]")
                .contains("\"tools\":[{\"name\":\"get_weather\",\"input_schema\":{\"type\":\"object\","
                        + "\"properties\":{}}}]");
    }

    @Test
    void shouldConvertImagePartsWhenTheyAreDataUrlsHttpsUrlsOrPdfs() {
        String out = encode("{\"messages\":[{\"role\":\"user\",\"content\":["
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/jpeg;base64,/9j/4AAQ\","
                + "\"detail\":\"low\"}},"
                + "{\"type\":\"image_url\",\"image_url\":\"https://example.com/cat.png\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,iVBO\","
                + "\"format\":\"image/webp\"}},"
                + "{\"type\":\"file\",\"file\":{\"file_data\":\"data:application/pdf;base64,JVBERi0\"}},"
                + "{\"type\":\"text\",\"text\":\"Compare.\",\"cache_control\":{\"type\":\"ephemeral\"}}]}]}");

        assertThat(out).contains("\"content\":[{\"type\":\"image\",\"source\":{\"type\":\"base64\","
                + "\"media_type\":\"image/jpeg\",\"data\":\"/9j/4AAQ\"}},"
                + "{\"type\":\"image\",\"source\":{\"type\":\"url\",\"url\":\"https://example.com/cat.png\"}},"
                + "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/webp\","
                + "\"data\":\"iVBO\"}},"
                + "{\"type\":\"document\",\"source\":{\"type\":\"base64\",\"media_type\":\"application/pdf\","
                + "\"data\":\"JVBERi0\"}},"
                + "{\"type\":\"text\",\"text\":\"Compare.\",\"cache_control\":{\"type\":\"ephemeral\"}}]");
    }

    @Test
    void shouldPutMessageCacheControlOnLastBlockAndPassAnthropicBlocksThrough() {
        String out = encode("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},"
                + "{\"type\":\"document\",\"source\":{\"type\":\"text\",\"media_type\":\"text/plain\","
                + "\"data\":\"d\"}}]},"
                + "{\"role\":\"user\",\"content\":\"b\",\"cache_control\":{\"type\":\"ephemeral\"}}]}");

        assertThat(out).contains("[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"document\",\"source\":"
                + "{\"type\":\"text\",\"media_type\":\"text/plain\",\"data\":\"d\"}},{\"type\":\"text\",\"text\":\"b\","
                + "\"cache_control\":{\"type\":\"ephemeral\"}}]");
    }

    @Test
    void shouldKeepCacheControlOfToolCallsAndOfAssistantMessagesEndingInToolCalls() {
        String out = encode("{\"messages\":[{\"role\":\"user\",\"content\":\"go\"},{\"role\":\"assistant\","
                + "\"content\":null,\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"cache_control\":"
                + "{\"type\":\"ephemeral\"},\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"r\"},{\"role\":\"assistant\","
                + "\"content\":null,\"cache_control\":{\"type\":\"ephemeral\",\"ttl\":\"1h\"},\"tool_calls\":["
                + "{\"id\":\"c2\",\"type\":\"function\",\"function\":{\"name\":\"g\",\"arguments\":\"{}\"}}]}]}");

        assertThat(out).contains("{\"type\":\"tool_use\",\"id\":\"c1\",\"name\":\"f\",\"input\":{},"
                + "\"cache_control\":{\"type\":\"ephemeral\"}}")
                .contains("{\"type\":\"tool_use\",\"id\":\"c2\",\"name\":\"g\",\"input\":{},"
                + "\"cache_control\":{\"type\":\"ephemeral\",\"ttl\":\"1h\"}}");
    }

    @Test
    void shouldPutThinkingBlocksFirstAndTrimFinalAssistantTextWhenAssistantMessageEndsTheConversation() {
        String out = encode("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\","
                + "\"content\":\"The answer is  \\n\",\"thinking_blocks\":[{\"type\":\"thinking\",\"thinking\":\"t\","
                + "\"signature\":\"s\"}]}]}");

        assertThat(out).contains("{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"t\","
                + "\"signature\":\"s\"},{\"type\":\"text\",\"text\":\"The answer is\"}]}]");
    }

    @Test
    void shouldMergeConsecutiveAssistantMessagesAndSkipEmptyOnes() {
        String out = encode("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"},"
                + "{\"role\":\"assistant\",\"content\":\"One.\"},{\"role\":\"assistant\",\"content\":\"\"},"
                + "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"Two.\"}]},"
                + "{\"role\":\"user\",\"content\":\"Go on\"}]}");

        assertThat(out).contains("{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"One.\"},"
                + "{\"type\":\"text\",\"text\":\"Two.\"}]},{\"role\":\"user\"");
    }

    @Test
    void shouldAnswerLegacyFunctionCallWithToolResultWhenFunctionMessageFollows() {
        String out = encode("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"function_call\":{\"name\":\"f\",\"arguments\":\"{}\"}},"
                + "{\"role\":\"function\",\"name\":\"f\",\"content\":\"42\"}],"
                + "\"functions\":[{\"name\":\"f\",\"parameters\":{\"type\":\"object\"}}],"
                + "\"function_call\":{\"name\":\"f\"}}");

        assertThat(out).contains("{\"type\":\"tool_use\",\"id\":\"toolu_legacy_0\",\"name\":\"f\",\"input\":{}}")
                .contains("{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_legacy_0\",\"content\":\"42\"}")
                .contains("\"tools\":[{\"name\":\"f\",\"input_schema\":{\"type\":\"object\"}}],"
                        + "\"tool_choice\":{\"type\":\"tool\",\"name\":\"f\"}");
    }

    @Test
    void shouldConvertFunctionToolsAndPassAnthropicToolsThroughWhenBothAreGiven() {
        String out = encode("{\"messages\":" + HELLO + ",\"tools\":["
                + "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"Weather now\","
                + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
                + "\"required\":[\"city\"]},\"strict\":true},\"cache_control\":{\"type\":\"ephemeral\"}},"
                + "{\"type\":\"web_search_20250305\",\"name\":\"web_search\",\"max_uses\":5},"
                + "{\"name\":\"custom\",\"input_schema\":{\"type\":\"object\"}}]}");

        assertThat(out).contains("\"tools\":[{\"name\":\"get_weather\",\"description\":\"Weather now\","
                + "\"input_schema\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
                + "\"required\":[\"city\"]},\"cache_control\":{\"type\":\"ephemeral\"}},"
                + "{\"type\":\"web_search_20250305\",\"name\":\"web_search\",\"max_uses\":5},"
                + "{\"name\":\"custom\",\"input_schema\":{\"type\":\"object\"}}]");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"auto\"|{\"type\":\"auto\"}",
        "\"required\"|{\"type\":\"any\"}",
        "\"none\"|{\"type\":\"none\"}",
        "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}|{\"type\":\"tool\",\"name\":\"get_weather\"}",
        "{\"type\":\"any\"}|{\"type\":\"any\"}"})
    void shouldMapToolChoiceWhenClientSetsIt(String openAi, String anthropic) {
        assertThat(encode("{\"messages\":" + HELLO + ",\"tool_choice\":" + openAi + "}"))
                .endsWith(",\"tool_choice\":" + anthropic + "}");
    }

    @Test
    void shouldDisableParallelToolUseWhenParallelToolCallsIsFalseButNotWithToolChoiceNone() {
        assertThat(encode("{\"messages\":" + HELLO + ",\"parallel_tool_calls\":false}"))
                .endsWith(",\"tool_choice\":{\"type\":\"auto\",\"disable_parallel_tool_use\":true}}");
        assertThat(encode("{\"messages\":" + HELLO + ",\"parallel_tool_calls\":true,\"tool_choice\":\"required\"}"))
                .endsWith(",\"tool_choice\":{\"type\":\"any\",\"disable_parallel_tool_use\":false}}");
        assertThat(encode("{\"messages\":" + HELLO + ",\"parallel_tool_calls\":false,\"tool_choice\":\"none\"}"))
                .endsWith(",\"tool_choice\":{\"type\":\"none\"}}");
    }

    @Test
    void shouldMapSamplingParamsAndStopWhenGiven() {
        assertThat(encode("{\"messages\":" + HELLO + ",\"temperature\":0.2,\"top_p\":0.9,\"stop\":\"END\","
                + "\"max_completion_tokens\":300,\"max_tokens\":100}"))
                .endsWith(",\"max_tokens\":300,\"temperature\":0.2,\"top_p\":0.9,\"stop_sequences\":[\"END\"]}");
        assertThat(encode("{\"messages\":" + HELLO + ",\"stop\":[\"a\",\"b\"],\"stop_sequences\":null}"))
                .endsWith(",\"stop_sequences\":[\"a\",\"b\"]}");
    }

    @Test
    void shouldAddForcedJsonToolWhenResponseFormatAsksForJson() {
        assertThat(encode("{\"messages\":" + HELLO + ",\"response_format\":{\"type\":\"json_schema\","
                + "\"json_schema\":{\"name\":\"person\",\"schema\":{\"type\":\"object\","
                + "\"properties\":{\"name\":{\"type\":\"string\"}}},\"strict\":true}}}"))
                .endsWith(",\"tools\":[{\"name\":\"json_tool_call\",\"input_schema\":{\"type\":\"object\","
                        + "\"properties\":{\"name\":{\"type\":\"string\"}}}}],"
                        + "\"tool_choice\":{\"type\":\"tool\",\"name\":\"json_tool_call\"}}");
        assertThat(encode("{\"messages\":" + HELLO + ",\"response_format\":{\"type\":\"json_object\"}}"))
                .endsWith(",\"tools\":[{\"name\":\"json_tool_call\",\"input_schema\":{\"type\":\"object\","
                        + "\"additionalProperties\":true,\"properties\":{}}}],"
                        + "\"tool_choice\":{\"type\":\"tool\",\"name\":\"json_tool_call\"}}");
        assertThat(encode("{\"messages\":" + HELLO + ",\"response_format\":{\"type\":\"text\"}}"))
                .doesNotContain("tools");
    }

    @ParameterizedTest
    @CsvSource({"low,1024,5120", "medium,2048,6144", "high,4096,8192", "minimal,1024,5120"})
    void shouldEnableThinkingWithBudgetWhenReasoningEffortIsGiven(String effort, int budget, int maxTokens) {
        assertThat(encode("{\"messages\":" + HELLO + ",\"reasoning_effort\":\"" + effort + "\"}"))
                .endsWith(",\"max_tokens\":" + maxTokens + ",\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":"
                        + budget + "}}");
    }

    @Test
    void shouldPassThinkingThroughAndNotForceJsonToolWhenThinkingIsOn() {
        String out = encode("{\"messages\":" + HELLO + ",\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":2000},"
                + "\"response_format\":{\"type\":\"json_object\"},\"max_tokens\":9000}");

        assertThat(out).contains("\"max_tokens\":9000").doesNotContain("tool_choice")
                .endsWith(",\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":2000}}");
        assertThat(encode("{\"messages\":" + HELLO + ",\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":2000}}"))
                .contains("\"max_tokens\":6096");
    }

    @ParameterizedTest
    @CsvSource({"user-42,true", "someone@example.com,false", "+1 (555) 123-4567,false"})
    void shouldSendUserAsMetadataUnlessItIsAnEmailOrPhoneNumber(String user, boolean sent) {
        String out = encode("{\"messages\":" + HELLO + ",\"user\":\"" + user + "\"}");

        if (sent) {
            assertThat(out).endsWith(",\"metadata\":{\"user_id\":\"" + user + "\"}}");
        } else {
            assertThat(out).doesNotContain("metadata");
        }
    }

    @Test
    void shouldLeaveOutOpenAiOnlyParamsAndPassOtherParamsThrough() {
        String out = encode("{\"messages\":" + HELLO + ",\"n\":1,\"presence_penalty\":0.5,\"seed\":7,"
                + "\"logprobs\":false,\"stream_options\":{\"include_usage\":true},\"top_k\":40,"
                + "\"metadata\":{\"user_id\":\"abc\"},\"user\":\"ignored\",\"mock_chunks\":3}");

        assertThat(out).isEqualTo("{\"model\":\"claude-sonnet-4-5\"," + HELLO_OUT + ",\"max_tokens\":4096,"
                + "\"metadata\":{\"user_id\":\"abc\"},\"top_k\":40,\"mock_chunks\":3}");
    }

    @Test
    void shouldCopyTextAsEscapedWhenItHoldsUnicodeAndEscapes() {
        assertThat(encode("{\"messages\":[{\"role\":\"user\","
                + "\"content\":\"caf\u00e9 \\\"q\\\" \\u2603 \ud83d\ude00\\n\"}],"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"t\",\"parameters\":"
                + "{\"description\":\"caf\u00e9 \\\"x\\\"\"}}}]}"))
                .contains("\"text\":\"caf\u00e9 \\\"q\\\" \\u2603 \ud83d\ude00\\n\"")
                .contains("\"input_schema\":{\"description\":\"caf\u00e9 \\\"x\\\"\"}");
    }

    @Test
    void shouldWriteEmptyMessagesWhenMessagesAreMissingOrNotAnArray() {
        assertThat(encode("{\"messages\":\"oops\"}")).isEqualTo(
                "{\"model\":\"claude-sonnet-4-5\",\"messages\":[],\"max_tokens\":4096}");
        assertThat(encode("{}")).isEqualTo("{\"model\":\"claude-sonnet-4-5\",\"messages\":[],\"max_tokens\":4096}");
    }

    @Test
    void shouldRefuseBodyWhenItIsNotJson() {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.HEAP, "{\"messages\":[");
        try {
            assertThatThrownBy(() -> AnthropicRequestEncoder.encode(TestBuffers.ALLOC, body, MODEL))
                    .isInstanceOf(IllegalArgumentException.class);
        } finally {
            body.release();
        }
    }

    @Test
    void shouldRefuseOpenAiOnlyParamsWithLiteLlmErrorUnlessDropParamsIsOn() {
        AnthropicRequestEncoder.Drops strict = new AnthropicRequestEncoder.Drops(false, Set.of(), "anthropic");
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.HEAP, "{\"messages\":" + HELLO
                + ",\"n\":1,\"seed\":3,\"presence_penalty\":0.5}");
        ByteBuf asked = TestBuffers.of(TestBuffers.Kind.HEAP, "{\"messages\":" + HELLO
                + ",\"seed\":3,\"drop_params\":true}");
        try {
            assertThatThrownBy(() -> AnthropicRequestEncoder.encode(TestBuffers.ALLOC, body, MODEL, strict))
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageStartingWith("litellm.UnsupportedParamsError: anthropic does not support parameters: "
                            + "['seed', 'presence_penalty'], for model=claude-sonnet-4-5.");
            assertThat(TestBuffers.drain(AnthropicRequestEncoder.encode(TestBuffers.ALLOC, asked, MODEL, strict)))
                    .isEqualTo("{\"model\":\"claude-sonnet-4-5\"," + HELLO_OUT + ",\"max_tokens\":4096}");
        } finally {
            body.release();
            asked.release();
        }
    }

    @Test
    void shouldWriteVertexVersionInsteadOfModelAndLeaveOutAdditionalDropParams() {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.HEAP, "{\"messages\":" + HELLO + ",\"temperature\":1}");
        try {
            assertThat(TestBuffers.drain(AnthropicRequestEncoder.encode(TestBuffers.ALLOC, body, null,
                    new AnthropicRequestEncoder.Drops(false, Set.of("temperature"), "vertex_ai"))))
                    .isEqualTo("{\"anthropic_version\":\"vertex-2023-10-16\"," + HELLO_OUT + ",\"max_tokens\":4096}");
        } finally {
            body.release();
        }
    }

    private static String encode(String request) {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.DIRECT, request);
        try {
            return TestBuffers.drain(AnthropicRequestEncoder.encode(TestBuffers.ALLOC, body, MODEL));
        } finally {
            body.release();
        }
    }
}
