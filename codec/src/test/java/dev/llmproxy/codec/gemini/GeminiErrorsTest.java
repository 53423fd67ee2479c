package dev.llmproxy.codec.gemini;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Google API errors (Google's "API errors" documentation) translated into OpenAI errors. */
class GeminiErrorsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "429 | RESOURCE_EXHAUSTED | Resource has been exhausted (e.g. check quota). | 429 | rate_limit_error",
        "400 | INVALID_ARGUMENT | API key not valid. Please pass a valid API key. | 401 | authentication_error",
        "403 | PERMISSION_DENIED | Method does not allow unregistered callers | 403 | permission_error",
        "404 | NOT_FOUND | models/gemini-9 is not found | 404 | not_found_error",
        "500 | INTERNAL | An internal error has occurred. | 500 | api_error",
        "503 | UNAVAILABLE | The model is overloaded. Please try again later. | 503 | api_error",
        "504 | DEADLINE_EXCEEDED | Deadline expired | 408 | timeout"})
    void shouldMapGoogleErrorToOpenAiStatusAndType(int code, String status, String message, int expected,
            String type) {
        TranslatedBody out = translate(code, "{\"error\":{\"code\":" + code + ",\"message\":\"" + message
                + "\",\"status\":\"" + status + "\",\"details\":[{\"@type\":\"x\"}]}}");

        assertThat(out.status()).isEqualTo(expected);
        assertThat(TestBuffers.drain(out.body())).isEqualTo("{\"error\":{\"message\":\"GeminiException - " + message
                + "\",\"type\":\"" + type + "\",\"param\":null,\"code\":\"" + expected + "\"}}");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "[{\"error\":{\"code\":400,\"message\":\"Bad\",\"status\":\"INVALID_ARGUMENT\"}}] | GeminiException - Bad",
        "upstream connect error | GeminiException - Unexpected response from Gemini: upstream connect error",
        "'' | GeminiException - Unexpected response from Gemini: (empty body)"})
    void shouldReadArrayFormAndQuoteBodiesThatAreNotGoogleErrors(String body, String message) {
        assertThat(TestBuffers.drain(translate(400, body).body())).contains("\"message\":\"" + message + "\"");
    }

    private static TranslatedBody translate(int status, String json) {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.HEAP, json);
        try {
            return GeminiErrors.translate(TestBuffers.ALLOC, status, body, "Gemini");
        } finally {
            body.release();
        }
    }
}
