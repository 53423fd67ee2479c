package dev.llmproxy.codec.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.codec.openai.InvalidRequestException;
import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** OpenAI chat and embeddings requests, as the OpenAI SDKs send them, encoded as Gemini API requests. */
class GeminiRequestEncoderTest {
    private static final GeminiRequestOptions FLASH =
            new GeminiRequestOptions("gemini", "gemini-2.5-flash", false, Set.of());
    private static final String HELLO = "[{\"role\":\"user\",\"content\":\"Hello\"}]";
    private static final String HELLO_OUT = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hello\"}]}]";

    @Test
    void shouldEncodeMinimalRequestWithoutGenerationConfigWhenNoParamsAreGiven() {
        assertThat(encode("{\"model\":\"gemini/gemini-2.5-flash\",\"messages\":" + HELLO + "}"))
                .isEqualTo(HELLO_OUT + "}");
    }

    @ParameterizedTest
    @EnumSource(TestBuffers.Kind.class)
    void shouldReadBodyWhenBufferIsOfAnyKind(TestBuffers.Kind kind) {
        ByteBuf body = TestBuffers.of(kind, "{\"messages\":" + HELLO + ",\"max_tokens\":100,\"stream\":true}");
        int readerIndex = body.readerIndex();
        try {
            assertThat(TestBuffers.drain(GeminiRequestEncoder.encodeChat(TestBuffers.ALLOC, body, FLASH)))
                    .isEqualTo(HELLO_OUT + ",\"generationConfig\":{\"maxOutputTokens\":100}}");
            assertThat(body.readerIndex()).isEqualTo(readerIndex);
        } finally {
            body.release();
        }
    }

    @Test
    void shouldMoveSystemMessagesToSystemInstructionAndMergeConsecutiveTurns() {
        String out = encode("{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"user\",\"content\":[{\"type\":\"text\","
                + "\"text\":\"there\"}]},{\"role\":\"assistant\",\"content\":\"Hello!\"},"
                + "{\"role\":\"developer\",\"content\":[{\"type\":\"text\",\"text\":\"Use French.\"}]},"
                + "{\"role\":\"user\",\"content\":\"caf\\u00e9 \\\"q\\\"\"}]}");

        assertThat(out).isEqualTo("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hi\"},{\"text\":"
                + "\"there\"}]},{\"role\":\"model\",\"parts\":[{\"text\":\"Hello!\"}]},{\"role\":\"user\",\"parts\":"
                + "[{\"text\":\"caf\\u00e9 \\\"q\\\"\"}]}],\"systemInstruction\":{\"parts\":[{\"text\":\"Be brief.\"},"
                + "{\"text\":\"Use French.\"}]}}");
    }

    @Test
    void shouldTurnToolCallsAndResultsIntoFunctionCallsAndResponsesWhenConversationUsesTools() {
        String out = encode("{\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris and Rome?\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
                + "{\"id\":\"call_1__thought__c2ln\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}},"
                + "{\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":\"{\\\"city\\\":\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_1__thought__c2ln\",\"content\":\"18C\"},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_2\",\"content\":[{\"type\":\"text\",\"text\":\"2\"},"
                + "{\"type\":\"text\",\"text\":\"1C\"}]},"
                + "{\"role\":\"user\",\"content\":\"Thanks\"}]}");

        assertThat(out).isEqualTo("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Weather in Paris and "
                + "Rome?\"}]},{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":\"get_weather\",\"args\":"
                + "{\"city\":\"Paris\"}},\"thoughtSignature\":\"c2ln\"},{\"functionCall\":{\"name\":\"get_weather\","
                + "\"args\":{}}}]},{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"name\":\"get_weather\","
                + "\"response\":{\"content\":\"18C\"}}},{\"functionResponse\":{\"name\":\"get_weather\",\"response\":"
                + "{\"content\":\"21C\"}}}]},{\"role\":\"user\",\"parts\":[{\"text\":\"Thanks\"}]}]}");
    }

    @Test
    void shouldRefuseToolResultWhenNoEarlierCallHasItsId() {
        assertThatThrownBy(() -> encode("{\"messages\":[{\"role\":\"tool\",\"tool_call_id\":\"call_9\","
                + "\"content\":\"x\"}]}"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("call_9");
    }

    @Test
    void shouldConvertMediaPartsToInlineOrFileDataWhenTheyAreDataUrlsOrOtherUrls() {
        String out = encode("{\"messages\":[{\"role\":\"user\",\"content\":["
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,iVBORw0\"}},"
                + "{\"type\":\"image_url\",\"image_url\":\"gs://bucket/cat.webp\"},"
                + "{\"type\":\"file\",\"file\":{\"file_id\":\"https://example.com/doc.pdf?x=1\"}},"
                + "{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"UklG\",\"format\":\"wav\"}}]}]}");

        assertThat(out).isEqualTo("{\"contents\":[{\"role\":\"user\",\"parts\":["
                + "{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"iVBORw0\"}},"
                + "{\"fileData\":{\"mimeType\":\"image/webp\",\"fileUri\":\"gs://bucket/cat.webp\"}},"
                + "{\"fileData\":{\"mimeType\":\"application/pdf\",\"fileUri\":\"https://example.com/doc.pdf?x=1\"}},"
                + "{\"inlineData\":{\"mimeType\":\"audio/wav\",\"data\":\"UklG\"}}]}]}");
    }

    @Test
    void shouldMapGenerationParamsWhenGiven() {
        String out = encode("{\"messages\":" + HELLO + ",\"temperature\":0.2,\"top_p\":0.9,\"top_k\":40,"
                + "\"max_tokens\":10,\"max_completion_tokens\":64,\"stop\":\"END\",\"n\":2,\"seed\":7,"
                + "\"presence_penalty\":0.5,\"frequency_penalty\":0.1,\"logprobs\":true,\"top_logprobs\":3,"
                + "\"user\":\"u1\",\"stream_options\":{\"include_usage\":true},\"mock_chunks\":3}");

        assertThat(out).isEqualTo(HELLO_OUT + ",\"generationConfig\":{\"temperature\":0.2,\"topP\":0.9,\"topK\":40,"
                + "\"maxOutputTokens\":64,\"stopSequences\":[\"END\"],\"candidateCount\":2,\"seed\":7,"
                + "\"presencePenalty\":0.5,\"frequencyPenalty\":0.1,\"responseLogprobs\":true,\"logprobs\":3}}");
    }

    @Test
    void shouldAskForJsonWithSchemaWhenResponseFormatIsJsonSchema() {
        String schema = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},"
                + "\"additionalProperties\":false}";
        String request = "{\"messages\":" + HELLO + ",\"response_format\":{\"type\":\"json_schema\","
                + "\"json_schema\":{\"name\":\"x\",\"strict\":true,\"schema\":" + schema + "}}}";

        assertThat(encode(request)).isEqualTo(HELLO_OUT + ",\"generationConfig\":{\"responseMimeType\":"
                + "\"application/json\",\"responseJsonSchema\":" + schema + "}}");
        assertThat(encode(request, new GeminiRequestOptions("gemini", "gemini-1.5-pro", false, Set.of())))
                .as("Gemini 1.x takes an OpenAPI schema").isEqualTo(HELLO_OUT + ",\"generationConfig\":{"
                        + "\"responseMimeType\":\"application/json\",\"responseSchema\":{\"type\":\"object\","
                        + "\"properties\":{\"a\":{\"type\":\"string\"}}}}}");
        assertThat(encode("{\"messages\":" + HELLO + ",\"response_format\":{\"type\":\"json_object\"}}"))
                .isEqualTo(HELLO_OUT + ",\"generationConfig\":{\"responseMimeType\":\"application/json\"}}");
    }

    @Test
    void shouldDeclareFunctionsAndMapToolChoiceWhenToolsAreGiven() {
        String out = encode("{\"messages\":" + HELLO + ",\"tools\":[{\"type\":\"function\",\"function\":{"
                + "\"name\":\"get_weather\",\"description\":\"Weather\",\"parameters\":{\"$schema\":\"x\","
                + "\"type\":\"object\",\"properties\":{\"additionalProperties\":{\"type\":\"string\"}},"
                + "\"additionalProperties\":false}}},{\"type\":\"function\",\"function\":{\"name\":\"now\","
                + "\"parameters\":{\"type\":\"object\",\"properties\":{}}}},{\"googleSearch\":{}}],"
                + "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"now\"}}}");

        assertThat(out).isEqualTo(HELLO_OUT + ",\"tools\":[{\"functionDeclarations\":[{\"name\":\"get_weather\","
                + "\"description\":\"Weather\",\"parameters\":{\"type\":\"object\",\"properties\":"
                + "{\"additionalProperties\":{\"type\":\"string\"}}}},{\"name\":\"now\"}]},{\"googleSearch\":{}}],"
                + "\"toolConfig\":{\"functionCallingConfig\":{\"mode\":\"ANY\",\"allowedFunctionNames\":[\"now\"]}}}");
    }

    @ParameterizedTest
    @CsvSource({"'\"none\"', NONE", "'\"auto\"', AUTO", "'\"required\"', ANY"})
    void shouldMapToolChoiceStringsToModes(String choice, String mode) {
        assertThat(encode("{\"messages\":" + HELLO + ",\"tool_choice\":" + choice + "}"))
                .endsWith(",\"toolConfig\":{\"functionCallingConfig\":{\"mode\":\"" + mode + "\"}}}");
    }

    @ParameterizedTest
    @CsvSource({"low, 1024, true", "medium, 2048, true", "high, 4096, true", "minimal, 128, true", "none, 0, false"})
    void shouldSetThinkingBudgetWhenReasoningEffortIsGiven(String effort, int budget, boolean include) {
        assertThat(encode("{\"messages\":" + HELLO + ",\"reasoning_effort\":\"" + effort + "\"}"))
                .isEqualTo(HELLO_OUT + ",\"generationConfig\":{\"thinkingConfig\":{\"thinkingBudget\":" + budget
                        + ",\"includeThoughts\":" + include + "}}}");
    }

    @Test
    void shouldSetThinkingLevelOnGemini3AndBudgetFromThinkingParam() {
        assertThat(encode("{\"messages\":" + HELLO + ",\"reasoning_effort\":\"high\"}",
                new GeminiRequestOptions("gemini", "gemini-3-pro-preview", false, Set.of())))
                .isEqualTo(HELLO_OUT + ",\"generationConfig\":{\"thinkingConfig\":{\"thinkingLevel\":\"high\","
                        + "\"includeThoughts\":true}}}");
        assertThat(encode("{\"messages\":" + HELLO + ",\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":500}}"))
                .isEqualTo(HELLO_OUT + ",\"generationConfig\":{\"thinkingConfig\":{\"thinkingBudget\":500,"
                        + "\"includeThoughts\":true}}}");
    }

    @Test
    void shouldRefuseUnsupportedParamWithLiteLlmMessageWhenDropParamsIsOff() {
        assertThatThrownBy(() -> encode("{\"messages\":" + HELLO + ",\"logit_bias\":{\"50256\":-100}}"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("litellm.UnsupportedParamsError: gemini does not support parameters: ['logit_bias'], "
                        + "for model=gemini-2.5-flash. To drop these, set `litellm.drop_params=True` or for proxy:"
                        + "\n\n`litellm_settings:\n drop_params: true`\n")
                .extracting(e -> ((InvalidRequestException) e).param()).isEqualTo("logit_bias");
    }

    @Test
    void shouldDropUnsupportedParamsWhenDropParamsIsOnForDeploymentOrRequest() {
        String request = "{\"messages\":" + HELLO + ",\"logit_bias\":{\"1\":1},\"tool_choice\":{\"type\":\"x\"}";

        assertThat(encode(request + "}", new GeminiRequestOptions("gemini", "gemini-2.5-flash", true, Set.of())))
                .isEqualTo(HELLO_OUT + "}");
        assertThat(encode(request + ",\"drop_params\":true}")).isEqualTo(HELLO_OUT + "}");
    }

    @Test
    void shouldRefuseParallelToolCallsOffWithSeveralFunctionsUnlessDropping() {
        String request = "{\"messages\":" + HELLO + ",\"parallel_tool_calls\":false,\"tools\":["
                + "{\"type\":\"function\",\"function\":{\"name\":\"a\"}},{\"type\":\"function\",\"function\":"
                + "{\"name\":\"b\"}}]";

        assertThatThrownBy(() -> encode(request + "}")).hasMessageContaining("['parallel_tool_calls']");
        assertThat(encode(request + ",\"drop_params\":true}")).contains("\"functionDeclarations\"");
    }

    @Test
    void shouldRemoveAdditionalDropParamsWhetherDeploymentOrRequestNamesThem() {
        String request = "{\"messages\":" + HELLO + ",\"temperature\":0.5,\"seed\":3";

        assertThat(encode(request + "}", new GeminiRequestOptions("gemini", "gemini-2.5-flash", false,
                Set.of("temperature")))).isEqualTo(HELLO_OUT + ",\"generationConfig\":{\"seed\":3}}");
        assertThat(encode(request + ",\"additional_drop_params\":[\"seed\",\"logit_bias\"],\"logit_bias\":{}}"))
                .isEqualTo(HELLO_OUT + ",\"generationConfig\":{\"temperature\":0.5}}");
    }

    @Test
    void shouldPassSafetySettingsAndAddGoogleSearchWhenAsked() {
        String safety = "[{\"category\":\"HARM_CATEGORY_HARASSMENT\",\"threshold\":\"BLOCK_NONE\"}]";

        assertThat(encode("{\"messages\":" + HELLO + ",\"safety_settings\":" + safety
                + ",\"web_search_options\":{}}"))
                .isEqualTo(HELLO_OUT + ",\"tools\":[{\"googleSearch\":{}}],\"safetySettings\":" + safety + "}");
    }

    @Test
    void shouldEncodeEmbeddingsAsOneRequestPerInput() {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.HEAP, "{\"model\":\"emb\",\"input\":[\"a\",\"b\"],"
                + "\"dimensions\":8}");
        try {
            assertThat(TestBuffers.drain(GeminiRequestEncoder.encodeEmbeddings(TestBuffers.ALLOC, body,
                    new GeminiRequestOptions("gemini", "text-embedding-004", false, Set.of()))))
                    .isEqualTo("{\"requests\":[{\"model\":\"models/text-embedding-004\",\"content\":{\"parts\":"
                            + "[{\"text\":\"a\"}]},\"outputDimensionality\":8},"
                            + "{\"model\":\"models/text-embedding-004\","
                            + "\"content\":{\"parts\":[{\"text\":\"b\"}]},\"outputDimensionality\":8}]}");
        } finally {
            body.release();
        }
    }

    @Test
    void shouldRefuseTokenArrayEmbeddingsInput() {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.HEAP, "{\"input\":[[1,2,3]]}");
        try {
            assertThatThrownBy(() -> GeminiRequestEncoder.encodeEmbeddings(TestBuffers.ALLOC, body, FLASH))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("token arrays");
        } finally {
            body.release();
        }
    }

    private static String encode(String request) {
        return encode(request, FLASH);
    }

    private static String encode(String request, GeminiRequestOptions options) {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.DIRECT, request);
        try {
            return TestBuffers.drain(GeminiRequestEncoder.encodeChat(TestBuffers.ALLOC, body, options));
        } finally {
            body.release();
        }
    }
}
