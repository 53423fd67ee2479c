package dev.llmproxy.codec.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.codec.openai.InvalidRequestException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** OpenAI chat requests encoded as Converse bodies (provider spec, section 5.3). */
class ConverseRequestEncoderTest {

    @Test
    void shouldMapSystemRolesAndInferenceConfig() {
        assertThat(encode("{\"model\":\"x\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"user\",\"content\":[{\"type\":\"text\","
                + "\"text\":\"there\"},{\"type\":\"text\",\"text\":\"\"}]},{\"role\":\"assistant\",\"content\":\"Yo\"}],"
                + "\"max_tokens\":100,\"temperature\":0.5,\"top_p\":0.9,\"stop\":\"END\",\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true}}"))
                .isEqualTo("{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hi\"},{\"text\":\"there\"}]},"
                        + "{\"role\":\"assistant\",\"content\":[{\"text\":\"Yo\"}]}],"
                        + "\"system\":[{\"text\":\"Be brief.\"}],"
                        + "\"inferenceConfig\":{\"maxTokens\":100,\"temperature\":0.5,\"topP\":0.9,"
                        + "\"stopSequences\":[\"END\"]}}");
    }

    @Test
    void shouldMapToolsToolCallsAndToolResults() {
        String converse = encode("{\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"t1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"t1\",\"content\":\"20C\"}],"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}],"
                + "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}}");
        assertThat(converse).isEqualTo("{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Weather?\"}]},"
                + "{\"role\":\"assistant\",\"content\":[{\"toolUse\":{\"toolUseId\":\"t1\",\"name\":\"get_weather\","
                + "\"input\":{\"city\":\"Paris\"}}}]},{\"role\":\"user\",\"content\":[{\"toolResult\":"
                + "{\"toolUseId\":\"t1\",\"content\":[{\"text\":\"20C\"}]}}]}],"
                + "\"toolConfig\":{\"tools\":[{\"toolSpec\":{\"name\":\"get_weather\",\"description\":\"get_weather\","
                + "\"inputSchema\":{\"json\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}}],"
                + "\"toolChoice\":{\"tool\":{\"name\":\"get_weather\"}}}}");
        assertThat(encode("{\"messages\":[],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],"
                + "\"tool_choice\":\"required\"}")).contains("\"toolChoice\":{\"any\":{}}")
                .contains("\"inputSchema\":{\"json\":{\"type\":\"object\",\"properties\":{}}}");
    }

    @Test
    void shouldSendDataUrlImagesAsBytes() {
        assertThat(encode("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                + "\"image_url\":{\"url\":\"data:image/jpg;base64,QUJD\"}}]}]}"))
                .isEqualTo("{\"messages\":[{\"role\":\"user\",\"content\":[{\"image\":{\"format\":\"jpeg\","
                        + "\"source\":{\"bytes\":\"QUJD\"}}}]}]}");
    }

    @Test
    void shouldAskForWebUrlsAndThenSendTheirDownloadedBytes() {
        String request = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                + "\"image_url\":{\"url\":\"https://example.com/cat.png\"}},{\"type\":\"image_url\","
                + "\"image_url\":{\"url\":\"http://example.com/dog.gif\"}},{\"type\":\"image_url\","
                + "\"image_url\":\"https://example.com/cat.png\"}]}]}";
        assertThatThrownBy(() -> encode(request)).isInstanceOfSatisfying(MediaUrlsNeeded.class, needed ->
                assertThat(needed.urls()).containsExactly("https://example.com/cat.png", "http://example.com/dog.gif"));
        ByteBuf body = Unpooled.copiedBuffer(request, StandardCharsets.UTF_8);
        ByteBuf out = ConverseRequestEncoder.encode(Unpooled.buffer().alloc(), body, "m", false, Set.of(),
                Map.of("https://example.com/cat.png", "data:image/png;base64,UE5H",
                        "http://example.com/dog.gif", "data:image/gif;base64,R0lG"));
        try {
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("{\"messages\":[{\"role\":\"user\","
                    + "\"content\":[{\"image\":{\"format\":\"png\",\"source\":{\"bytes\":\"UE5H\"}}},"
                    + "{\"image\":{\"format\":\"gif\",\"source\":{\"bytes\":\"R0lG\"}}},"
                    + "{\"image\":{\"format\":\"png\",\"source\":{\"bytes\":\"UE5H\"}}}]}]}");
        } finally {
            out.release();
            body.release();
        }
    }

    @Test
    void shouldSendFilesAsNamedDocumentsAndRefuseOtherMediaTypes() {
        assertThat(encode("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"file\",\"file\":"
                + "{\"file_data\":\"data:application/pdf;base64,JVBE\"}},{\"type\":\"image_url\",\"image_url\":"
                + "{\"url\":\"data:text/csv;base64,YSxi\"}}]}]}"))
                .isEqualTo("{\"messages\":[{\"role\":\"user\",\"content\":[{\"document\":{\"format\":\"pdf\","
                        + "\"name\":\"DocumentPDFmessages_0\",\"source\":{\"bytes\":\"JVBE\"}}},{\"document\":"
                        + "{\"format\":\"csv\",\"name\":\"DocumentPDFmessages_1\",\"source\":{\"bytes\":\"YSxi\"}}}]}]}");
        assertThatThrownBy(() -> encode("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                + "\"image_url\":{\"url\":\"data:image/tiff;base64,AAAA\"}}]}]}"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("not image/tiff");
        assertThatThrownBy(() -> encode("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                + "\"image_url\":{\"url\":\"ftp://example.com/a.png\"}}]}]}"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("http(s) URL");
    }

    @Test
    void shouldMapReasoningEffortAndTopKToAdditionalFields() {
        assertThat(encode("{\"messages\":[],\"reasoning_effort\":\"low\",\"top_k\":5}"))
                .isEqualTo("{\"messages\":[],\"additionalModelRequestFields\":{\"top_k\":5,"
                        + "\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024}}}");
    }

    @Test
    void shouldRefuseUnsupportedParamsUnlessDropped() {
        assertThatThrownBy(() -> encode("{\"messages\":[],\"seed\":1,\"n\":1}"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("litellm.UnsupportedParamsError: bedrock does not support parameters: "
                        + "['seed'], for model=m");
        assertThat(encode("{\"messages\":[],\"seed\":1,\"tool_choice\":\"none\",\"drop_params\":true}"))
                .isEqualTo("{\"messages\":[]}");
        assertThat(encodeDropping("{\"messages\":[],\"temperature\":1}", Set.of("temperature")))
                .isEqualTo("{\"messages\":[]}");
    }

    @Test
    void shouldPassConverseFieldsThroughAndOtherParamsAsAdditionalFields() {
        assertThat(encode("{\"messages\":[],\"guardrailConfig\":{\"guardrailIdentifier\":\"g\"},"
                + "\"anthropic_beta\":[\"x\"]}"))
                .isEqualTo("{\"messages\":[],\"guardrailConfig\":{\"guardrailIdentifier\":\"g\"},"
                        + "\"additionalModelRequestFields\":{\"anthropic_beta\":[\"x\"]}}");
    }

    @Test
    void shouldPutACachePointAfterEachBlockMessageToolCallAndToolMarkedWithCacheControl() {
        String marked = "\"cache_control\":{\"type\":\"ephemeral\"}";
        String converse = encode("{\"messages\":[{\"role\":\"system\",\"content\":[{\"type\":\"text\","
                + "\"text\":\"Long rules\"," + marked + "},{\"type\":\"text\",\"text\":\"Today\"}]},"
                + "{\"role\":\"system\",\"content\":\"More\"," + marked + "},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Doc\"," + marked + "},"
                + "{\"type\":\"text\",\"text\":\"Q\"}]},"
                + "{\"role\":\"assistant\",\"content\":\"A\"," + marked + ",\"tool_calls\":[{\"id\":\"t1\","
                + "\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}," + marked + "}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"t1\",\"content\":[{\"type\":\"text\",\"text\":\"R\","
                + marked + "}]},{\"role\":\"user\",\"content\":\"Go on\"," + marked + "}],"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}," + marked + "},"
                + "{\"type\":\"function\",\"function\":{\"name\":\"g\"}}]}");

        String point = "{\"cachePoint\":{\"type\":\"default\"}}";
        assertThat(converse).isEqualTo("{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Doc\"},"
                + point + ",{\"text\":\"Q\"}]},{\"role\":\"assistant\",\"content\":[{\"text\":\"A\"}," + point
                + ",{\"toolUse\":{\"toolUseId\":\"t1\",\"name\":\"f\",\"input\":{}}}," + point + "]},"
                + "{\"role\":\"user\",\"content\":[{\"toolResult\":{\"toolUseId\":\"t1\",\"content\":"
                + "[{\"text\":\"R\"}]}}," + point + ",{\"text\":\"Go on\"}," + point + "]}],"
                + "\"system\":[{\"text\":\"Long rules\"}," + point + ",{\"text\":\"Today\"},{\"text\":\"More\"},"
                + point + "],\"toolConfig\":{\"tools\":[{\"toolSpec\":{\"name\":\"f\",\"description\":\"f\","
                + "\"inputSchema\":{\"json\":{\"type\":\"object\",\"properties\":{}}}}}," + point + ","
                + "{\"toolSpec\":{\"name\":\"g\",\"description\":\"g\",\"inputSchema\":{\"json\":"
                + "{\"type\":\"object\",\"properties\":{}}}}}]}}");
    }

    @Test
    void shouldKeepACachePointsTtlOnlyForClaudeModelsThatTakeOne() {
        String request = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Doc\","
                + "\"cache_control\":{\"type\":\"ephemeral\",\"ttl\":\"1h\"}},{\"type\":\"text\",\"text\":\"Q\","
                + "\"cache_control\":{\"type\":\"ephemeral\",\"ttl\":\"2d\"}}]}]}";

        assertThat(encodeFor(request, "us.anthropic.claude-sonnet-4-5-20250929-v1:0"))
                .contains("{\"text\":\"Doc\"},{\"cachePoint\":{\"type\":\"default\",\"ttl\":\"1h\"}},"
                        + "{\"text\":\"Q\"},{\"cachePoint\":{\"type\":\"default\"}}");
        assertThat(encodeFor(request, "anthropic.claude-opus-4-6-v1")).contains("\"ttl\":\"1h\"");
        for (String older : new String[] {"anthropic.claude-sonnet-4-20250514-v1:0",
                "anthropic.claude-opus-4-1-20250805-v1:0", "anthropic.claude-3-7-sonnet-20250219-v1:0",
                "amazon.nova-pro-v1:0"}) {
            assertThat(encodeFor(request, older)).as(older).doesNotContain("ttl")
                    .contains("{\"text\":\"Doc\"},{\"cachePoint\":{\"type\":\"default\"}}");
        }
    }

    private static String encodeFor(String json, String model) {
        ByteBuf body = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
        ByteBuf out = ConverseRequestEncoder.encode(Unpooled.buffer().alloc(), body, model, false, Set.of());
        try {
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            out.release();
            body.release();
        }
    }

    private static String encode(String json) {
        return encodeDropping(json, Set.of());
    }

    private static String encodeDropping(String json, Set<String> dropped) {
        ByteBuf body = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
        ByteBuf out = ConverseRequestEncoder.encode(Unpooled.buffer().alloc(), body, "m", false, dropped);
        try {
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            out.release();
            body.release();
        }
    }
}
