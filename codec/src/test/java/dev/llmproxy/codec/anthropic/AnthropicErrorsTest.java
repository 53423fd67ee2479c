package dev.llmproxy.codec.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Anthropic's documented error bodies, by status, as OpenAI errors with LiteLLM's statuses. */
class AnthropicErrorsTest {

    @ParameterizedTest
    @CsvSource({
        "400,invalid_request_error,messages: field required,400",
        "401,authentication_error,invalid x-api-key,401",
        "403,permission_error,Your API key does not have permission,403",
        "404,not_found_error,model: claude-9,404",
        "413,request_too_large,Request exceeds the maximum allowed number of bytes,400",
        "429,rate_limit_error,Number of request tokens has exceeded your per-minute rate limit,429",
        "500,api_error,Internal server error,500",
        "529,overloaded_error,Overloaded,500",
        "504,timeout_error,Request timed out,408",
        "400,invalid_request_error,prompt is too long: 210000 tokens > 200000 maximum,400"})
    void shouldTranslateDocumentedErrorWithLiteLlmStatus(int status, String type, String message, int expected) {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.DIRECT, "{\"type\":\"error\",\"error\":{\"type\":\"" + type
                + "\",\"message\":\"" + message + "\"},\"request_id\":\"req_011CSHoEeqs5C35K2UUqR7Fy\"}");
        try {
            TranslatedBody result = AnthropicErrors.translate(TestBuffers.ALLOC, status, body);

            assertThat(result.status()).isEqualTo(expected);
            assertThat(TestBuffers.drain(result.body())).isEqualTo("{\"error\":{\"message\":\"AnthropicException - "
                    + message + "\",\"type\":\"" + type + "\",\"param\":null,\"code\":\"" + expected + "\"}}");
        } finally {
            body.release();
        }
    }

    @Test
    void shouldQuoteBodyAsApiErrorWhenItIsNotAnAnthropicError() {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.HEAP, "<html><body>502 Bad Gateway</body></html>");
        try {
            TranslatedBody result = AnthropicErrors.translate(TestBuffers.ALLOC, 502, body);

            assertThat(result.status()).isEqualTo(502);
            assertThat(TestBuffers.drain(result.body())).isEqualTo("{\"error\":{\"message\":\"AnthropicException - "
                    + "Unexpected response from Anthropic: <html><body>502 Bad Gateway</body></html>\","
                    + "\"type\":\"api_error\",\"param\":null,\"code\":\"502\"}}");
        } finally {
            body.release();
        }
    }

    @Test
    void shouldCutQuotedBodyWhenItIsLong() {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.HEAP, "x".repeat(5000));
        try {
            String json = TestBuffers.drain(AnthropicErrors.translate(TestBuffers.ALLOC, 503, body).body());

            assertThat(json).contains("x".repeat(1000) + "...\"").doesNotContain("x".repeat(1001));
        } finally {
            body.release();
        }
    }

    @Test
    void shouldSayEmptyBodyWhenErrorHasNoBody() {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.HEAP, "");
        try {
            assertThat(TestBuffers.drain(AnthropicErrors.translate(TestBuffers.ALLOC, 529, body).body()))
                    .contains("(empty body)").contains("\"code\":\"500\"");
        } finally {
            body.release();
        }
    }
}
