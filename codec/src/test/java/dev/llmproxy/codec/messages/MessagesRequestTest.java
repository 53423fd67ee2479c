package dev.llmproxy.codec.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.codec.openai.InvalidRequestException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Anthropic Messages requests, as the Anthropic SDK sends them, into OpenAI chat requests. */
class MessagesRequestTest {

    @Test
    void shouldMapSystemSamplingAndStopWhenRequestIsPlain() {
        String chat = toChat("{\"max_tokens\":1024,\"messages\":[{\"role\":\"user\",\"content\":\"Hello, Claude\"}],"
                + "\"model\":\"gpt\",\"system\":\"Be brief.\",\"temperature\":0.5,\"top_p\":0.9,\"top_k\":40,"
                + "\"stop_sequences\":[\"END\"],\"metadata\":{\"user_id\":\"u-1\"}}");

        assertThat(chat).isEqualTo("{\"model\":\"gpt\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"Hello, Claude\"}],\"max_tokens\":1024,\"temperature\":0.5,"
                + "\"top_p\":0.9,\"top_k\":40,\"stop\":[\"END\"],\"user\":\"u-1\"}");
    }

    @Test
    void shouldAskForUsageWhenClientStreams() {
        String chat = toChat("{\"model\":\"gpt\",\"max_tokens\":10,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");

        assertThat(chat).endsWith(",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
    }

    @Test
    void shouldTranslateToolsToolUseAndToolResultsWhenConversationUsesTools() {
        String chat = toChat("{\"model\":\"gpt\",\"max_tokens\":100,"
                + "\"system\":[{\"type\":\"text\",\"text\":\"You help.\",\"cache_control\":{\"type\":\"ephemeral\"}}],"
                + "\"tools\":[{\"name\":\"get_weather\",\"description\":\"Weather\",\"input_schema\":{\"type\":"
                + "\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}},"
                + "{\"type\":\"web_search_20250305\",\"name\":\"web_search\"},"
                + "{\"type\":\"bash_20250124\",\"name\":\"bash\"}],"
                + "\"tool_choice\":{\"type\":\"tool\",\"name\":\"get_weather\",\"disable_parallel_tool_use\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Weather in Paris?\"},"
                + "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"iVBO\"}}]},"
                + "{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"hm\",\"signature\":\"s\"},"
                + "{\"type\":\"text\",\"text\":\"Checking.\"},"
                + "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}]},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\","
                + "\"content\":[{\"type\":\"text\",\"text\":\"18C\"}]},{\"type\":\"text\",\"text\":\"Thanks\"}]}]}");

        assertThat(chat).isEqualTo("{\"model\":\"gpt\",\"messages\":["
                + "{\"role\":\"system\",\"content\":[{\"type\":\"text\",\"text\":\"You help.\"}]},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Weather in Paris?\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,iVBO\"}}]},"
                + "{\"role\":\"assistant\",\"content\":\"Checking.\",\"tool_calls\":[{\"id\":\"toolu_1\","
                + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"toolu_1\",\"content\":\"18C\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Thanks\"}]}],"
                + "\"max_tokens\":100,"
                + "\"web_search_options\":{},"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"Weather\","
                + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}],"
                + "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}},"
                + "\"parallel_tool_calls\":false}");
    }

    @Test
    void shouldMapToolChoiceAnyAndUrlImagesWhenGiven() {
        String chat = toChat("{\"model\":\"gpt\",\"max_tokens\":1,\"tools\":[{\"name\":\"f\",\"input_schema\":"
                + "{\"type\":\"object\"}}],\"tool_choice\":{\"type\":\"any\"},\"messages\":[{\"role\":\"user\","
                + "\"content\":[{\"type\":\"image\",\"source\":{\"type\":\"url\",\"url\":\"https://x/y.png\"}}]},"
                + "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"f\","
                + "\"input\":{}}]}]}");

        assertThat(chat).contains("{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/y.png\"}}")
                .contains("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":")
                .contains("\"tool_choice\":\"required\"");
    }

    @Test
    void shouldBucketThinkingBudgetIntoReasoningEffort() {
        assertThat(toChat(thinking(2048))).contains("\"reasoning_effort\":\"low\"");
        assertThat(toChat(thinking(6000))).contains("\"reasoning_effort\":\"medium\"");
        assertThat(toChat(thinking(16000))).contains("\"reasoning_effort\":\"high\"");
    }

    @Test
    void shouldRefuseWhenBodyIsNotAMessagesRequest() {
        assertThatThrownBy(() -> toChat("{\"model\":\"gpt\"}")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("messages");
        assertThatThrownBy(() -> toChat("{\"model\":")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("Invalid JSON in the request body");
        assertThatThrownBy(() -> toChat("{\"messages\":[1]}")).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> toChat("[]")).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void shouldDropModelAndAddVersionWhenSentToVertex() {
        ByteBuf body = Unpooled.copiedBuffer("{\"model\":\"claude\",\"max_tokens\":5,\"messages\":[]}",
                StandardCharsets.UTF_8);
        ByteBuf vertex = MessagesRequest.forVertex(UnpooledByteBufAllocator.DEFAULT, body, "vertex-2023-10-16");

        assertThat(vertex.toString(StandardCharsets.UTF_8))
                .isEqualTo("{\"max_tokens\":5,\"messages\":[],\"anthropic_version\":\"vertex-2023-10-16\"}");
        vertex.release();
        body.release();
    }

    private static String thinking(int budget) {
        return "{\"model\":\"gpt\",\"max_tokens\":20000,\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":" + budget
                + "},\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
    }

    @Test
    void shouldShortenLongToolNamesEverywhereAndMapThemBackWhenTheyExceed64Characters() {
        String longName = "mcp__a_very_long_server_name_for_testing__and_an_even_longer_tool_name_here";
        String shortName = longName.substring(0, 55) + "_" + sha256Hex(longName).substring(0, 8);
        String anthropic = "{\"model\":\"gpt\",\"max_tokens\":10,"
                + "\"tools\":[{\"name\":\"" + longName + "\",\"input_schema\":{\"type\":\"object\"}},"
                + "{\"name\":\"short\",\"input_schema\":{\"type\":\"object\"}},{\"name\":\"\"}],"
                + "\"tool_choice\":{\"type\":\"tool\",\"name\":\"" + longName + "\"},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"go\"},{\"role\":\"assistant\",\"content\":["
                + "{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"" + longName + "\",\"input\":{}}]}]}";

        MessagesRequest.Chat chat = translate(anthropic, false);
        String body = released(chat.body());

        assertThat(shortName).hasSize(64);
        assertThat(body).doesNotContain(longName)
                .contains("\"function\":{\"name\":\"" + shortName + "\",\"arguments\":\"{}\"}")
                .contains("{\"type\":\"function\",\"function\":{\"name\":\"" + shortName + "\",\"parameters\"")
                .contains("{\"name\":\"short\",\"parameters\"")
                .contains("{\"name\":\"litellm_unnamed_tool_2\",\"parameters\"")
                .contains("\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"" + shortName + "\"}}");
        assertThat(chat.toolNames().original(shortName)).isEqualTo(longName);
        assertThat(chat.toolNames().original("short")).isEqualTo("short");
        assertThat(ToolNames.shorten("x".repeat(64))).isEqualTo("x".repeat(64));
    }

    @Test
    void shouldSendThinkingBlocksWithSignaturesOnlyWhenTheDeploymentReadsThemBack() {
        String anthropic = "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"go\"},"
                + "{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"plan\","
                + "\"signature\":\"sig1\"},{\"type\":\"redacted_thinking\",\"data\":\"enc\"},"
                + "{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"f\",\"input\":{\"a\":1}}]},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t1\","
                + "\"content\":\"ok\"}]}]}";

        String kept = released(translate(anthropic, true).body());
        String dropped = released(translate(anthropic, false).body());

        assertThat(kept).contains("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"t1\","
                + "\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\":1}\"}}],"
                + "\"thinking_blocks\":[{\"type\":\"thinking\",\"thinking\":\"plan\",\"signature\":\"sig1\"},"
                + "{\"type\":\"redacted_thinking\",\"data\":\"enc\"}]}");
        assertThat(dropped).doesNotContain("thinking_blocks").doesNotContain("sig1");
    }

    @Test
    void shouldKeepCacheControlMarksOnlyForBedrock() {
        String mark = "\"cache_control\":{\"type\":\"ephemeral\"}";
        String anthropic = "{\"model\":\"m\",\"max_tokens\":10,"
                + "\"system\":[{\"type\":\"text\",\"text\":\"Rules\"," + mark + "}],"
                + "\"tools\":[{\"name\":\"f\",\"input_schema\":{\"type\":\"object\"}," + mark + "}],"
                + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Doc\"," + mark + "},"
                + "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\","
                + "\"data\":\"iVBO\"}," + mark + "}]},"
                + "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"Calling\"," + mark + "},"
                + "{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"f\",\"input\":{}," + mark + "}]},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t1\","
                + "\"content\":\"ok\"," + mark + "}]}]}";

        String kept = released(translate(anthropic, true).body());
        String dropped = released(translate(anthropic, false).body());

        String chatMark = "\"cache_control\":{\"type\":\"ephemeral\"}";
        assertThat(kept).contains("{\"role\":\"system\",\"content\":[{\"type\":\"text\",\"text\":\"Rules\","
                        + chatMark + "}]}")
                .contains("{\"type\":\"text\",\"text\":\"Doc\"," + chatMark + "}")
                .contains("\"url\":\"data:image/png;base64,iVBO\"}," + chatMark + "}")
                .contains("\"arguments\":\"{}\"}," + chatMark + "}],\"cache_control\":{\"type\":\"ephemeral\"}}")
                .contains("{\"role\":\"tool\",\"tool_call_id\":\"t1\",\"content\":\"ok\"," + chatMark + "}")
                .contains("\"parameters\":{\"type\":\"object\"}}," + chatMark + "}]");
        assertThat(dropped).doesNotContain("cache_control");
    }

    private static String sha256Hex(String text) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static String toChat(String anthropic) {
        return released(translate(anthropic, false).body());
    }

    private static MessagesRequest.Chat translate(String anthropic, boolean keepThinking) {
        ByteBuf body = Unpooled.copiedBuffer(anthropic, StandardCharsets.UTF_8);
        try {
            return MessagesRequest.translate(UnpooledByteBufAllocator.DEFAULT, body, keepThinking);
        } finally {
            body.release();
        }
    }

    private static String released(ByteBuf buf) {
        try {
            return buf.toString(StandardCharsets.UTF_8);
        } finally {
            buf.release();
        }
    }
}
