package dev.llmproxy.codec.gemini;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

/** Gemini responses (the shapes of Google's generateContent documentation) translated into OpenAI bodies. */
class GeminiResponsesTest {
    private static final long CREATED = 1_700_000_000L;
    private static final String USAGE = "\"usageMetadata\":{\"promptTokenCount\":8,\"candidatesTokenCount\":12,"
            + "\"totalTokenCount\":20}";

    @Test
    void shouldTranslateTextAnswerWithUsageWhenGeminiAnswers() {
        TranslatedBody out = translate("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hello\"},"
                + "{\"text\":\" there \\\"x\\\"\"}],\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0,"
                + "\"safetyRatings\":[]}]," + USAGE + ",\"modelVersion\":\"gemini-2.5-flash\","
                + "\"responseId\":\"abc123\",\"futureField\":{\"x\":[1]}}");

        assertThat(TestBuffers.drain(out.body())).isEqualTo("{\"id\":\"abc123\",\"object\":\"chat.completion\","
                + "\"created\":1700000000,\"model\":\"gemini-2.5-flash\",\"choices\":[{\"index\":0,\"message\":"
                + "{\"role\":\"assistant\",\"content\":\"Hello there \\\"x\\\"\"},\"logprobs\":null,"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":12,"
                + "\"total_tokens\":20,\"prompt_tokens_details\":{\"cached_tokens\":0},"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":0}}}");
        assertThat(out.status()).isEqualTo(200);
        assertThat(out.usage()).isEqualTo(new Usage(8, 12, 20));
    }

    @Test
    void shouldCountThoughtTokensAsCompletionAndReturnReasoningWhenModelThinks() {
        TranslatedBody out = translate("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Let me think\","
                + "\"thought\":true},{\"text\":\"42\"}],\"role\":\"model\"},\"finishReason\":\"MAX_TOKENS\"}],"
                + "\"usageMetadata\":{\"promptTokenCount\":5,\"candidatesTokenCount\":1,\"thoughtsTokenCount\":30,"
                + "\"cachedContentTokenCount\":2,\"totalTokenCount\":36},\"responseId\":\"r\"}");

        assertThat(TestBuffers.drain(out.body())).contains("\"model\":\"gemini-2.5-pro\"")
                .contains("\"message\":{\"role\":\"assistant\",\"content\":\"42\","
                        + "\"reasoning_content\":\"Let me think\"},\"logprobs\":null,\"finish_reason\":\"length\"")
                .endsWith("\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":31,\"total_tokens\":36,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":2},"
                        + "\"completion_tokens_details\":{\"reasoning_tokens\":30}}}");
        assertThat(out.usage()).isEqualTo(new Usage(5, 31, 36));
    }

    @Test
    void shouldReturnToolCallsWithSignatureInIdWhenModelCallsFunctions() {
        String body = TestBuffers.drain(translate("{\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":"
                + "{\"name\":\"get_weather\",\"args\":{\"city\":\"Paris\"}},\"thoughtSignature\":\"c2ln\"},"
                + "{\"functionCall\":{\"name\":\"now\",\"args\":{}}}],\"role\":\"model\"},\"finishReason\":\"STOP\"}],"
                + USAGE + ",\"responseId\":\"r1\"}").body());

        assertThat(body).contains("\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
                + "{\"id\":\"call_r1_0__thought__c2ln\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}},{\"id\":\"call_r1_1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"now\",\"arguments\":\"{}\"}}]},\"logprobs\":null,"
                + "\"finish_reason\":\"tool_calls\"}");
    }

    @Test
    void shouldAnswerContentFilterWhenPromptIsBlocked() {
        String body = TestBuffers.drain(translate("{\"promptFeedback\":{\"blockReason\":\"SAFETY\","
                + "\"safetyRatings\":[]}," + USAGE + "}").body());

        assertThat(body).contains("\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null},"
                + "\"logprobs\":null,\"finish_reason\":\"content_filter\"}]");
    }

    @Test
    void shouldWithholdContentWhenCandidateIsBlocked() {
        String body = TestBuffers.drain(translate("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"bad\"}]},"
                + "\"finishReason\":\"RECITATION\"}]," + USAGE + "}").body());

        assertThat(body).contains("\"content\":null},\"logprobs\":null,\"finish_reason\":\"content_filter\"");
    }

    @Test
    void shouldGiveOneChoicePerCandidateWhenSeveralAreAsked() {
        String body = TestBuffers.drain(translate("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"A\"}]},"
                + "\"finishReason\":\"STOP\",\"index\":0},{\"content\":{\"parts\":[{\"text\":\"B\"}]},"
                + "\"finishReason\":\"STOP\",\"index\":1}]," + USAGE + "}").body());

        assertThat(body).contains("{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"A\"}")
                .contains("{\"index\":1,\"message\":{\"role\":\"assistant\",\"content\":\"B\"}");
    }

    @Test
    void shouldBecomeErrorWhenBodyIsNotGeminiResponse() {
        TranslatedBody out = translate("<html>bad gateway</html>");

        assertThat(out.status()).isEqualTo(500);
        assertThat(TestBuffers.drain(out.body())).contains("GeminiException - Unexpected response from Gemini: "
                + "<html>bad gateway</html>").contains("\"type\":\"api_error\"");
    }

    @Test
    void shouldTranslateBatchEmbeddingsIntoEmbeddingsList() {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.DIRECT,
                "{\"embeddings\":[{\"values\":[0.1,-0.2]},{\"values\":[0.3,0.4]}]}");
        TranslatedBody out = GeminiResponses.translateEmbeddings(TestBuffers.ALLOC, body, "text-embedding-004",
                "Gemini");
        body.release();

        assertThat(TestBuffers.drain(out.body())).isEqualTo("{\"object\":\"list\",\"data\":[{\"object\":\"embedding\","
                + "\"index\":0,\"embedding\":[0.1,-0.2]},{\"object\":\"embedding\",\"index\":1,\"embedding\":"
                + "[0.3,0.4]}],\"model\":\"text-embedding-004\",\"usage\":{\"prompt_tokens\":0,\"total_tokens\":0}}");
    }

    private static TranslatedBody translate(String json) {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.DIRECT, json);
        try {
            return GeminiResponses.translate(TestBuffers.ALLOC, body, CREATED, "gemini-2.5-pro", "Gemini");
        } finally {
            body.release();
        }
    }
}
