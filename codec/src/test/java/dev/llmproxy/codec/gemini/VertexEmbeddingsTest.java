package dev.llmproxy.codec.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.codec.openai.InvalidRequestException;
import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** OpenAI embeddings requests as Vertex AI {@code :predict} requests, and its predictions as OpenAI's list. */
class VertexEmbeddingsTest {

    @ParameterizedTest
    @EnumSource(TestBuffers.Kind.class)
    void shouldSendOneInstancePerInputWhenEncoding(TestBuffers.Kind kind) {
        assertThat(encode(kind, "{\"model\":\"e\",\"input\":[\"a\",\"b \\\"c\\\"\"],\"dimensions\":256,"
                + "\"task_type\":\"RETRIEVAL_QUERY\",\"encoding_format\":\"float\",\"user\":\"u\"}"))
                .isEqualTo("{\"instances\":[{\"content\":\"a\",\"task_type\":\"RETRIEVAL_QUERY\"},"
                        + "{\"content\":\"b \\\"c\\\"\",\"task_type\":\"RETRIEVAL_QUERY\"}],"
                        + "\"parameters\":{\"outputDimensionality\":256}}");
        assertThat(encode(kind, "{\"input\":\"hello\"}")).isEqualTo("{\"instances\":[{\"content\":\"hello\"}]}");
    }

    @Test
    void shouldRefuseTokenArraysAndMissingInput() {
        assertThatThrownBy(() -> encode(TestBuffers.Kind.HEAP, "{\"input\":[[1,2]]}"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("token arrays");
        assertThatThrownBy(() -> encode(TestBuffers.Kind.HEAP, "{\"model\":\"e\"}"))
                .isInstanceOf(InvalidRequestException.class).hasMessage("Missing required field: input");
        assertThatThrownBy(() -> encode(TestBuffers.Kind.HEAP, "{\"input\":"))
                .isInstanceOf(InvalidRequestException.class).hasMessage("request body is not valid JSON");
    }

    @ParameterizedTest
    @EnumSource(TestBuffers.Kind.class)
    void shouldListTheVectorsAndSumTheirTokensWhenVertexAnswers(TestBuffers.Kind kind) {
        TranslatedBody out = translate(kind, "{\"predictions\":[{\"embeddings\":{\"statistics\":{\"truncated\":false,"
                + "\"token_count\":3},\"values\":[0.1,-0.2]}},{\"embeddings\":{\"values\":[1e-3,0],\"statistics\":"
                + "{\"token_count\":4.0}}}],\"metadata\":{\"billableCharacterCount\":12}}");

        assertThat(out.status()).isEqualTo(200);
        assertThat(out.usage()).isEqualTo(new Usage(7, 0, 7));
        assertThat(TestBuffers.drain(out.body())).isEqualTo("{\"object\":\"list\",\"data\":["
                + "{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.1,-0.2]},"
                + "{\"object\":\"embedding\",\"index\":1,\"embedding\":[1e-3,0]}],\"model\":\"text-embedding-005\","
                + "\"usage\":{\"prompt_tokens\":7,\"total_tokens\":7}}");
    }

    @Test
    void shouldAnswerAnErrorWhenTheBodyIsNotPredictions() {
        TranslatedBody broken = translate(TestBuffers.Kind.HEAP, "<html>502</html>");
        TranslatedBody refused = translate(TestBuffers.Kind.HEAP, "{\"error\":{\"code\":403,\"message\":\"denied\","
                + "\"status\":\"PERMISSION_DENIED\"}}");

        assertThat(broken.status()).isEqualTo(500);
        assertThat(TestBuffers.drain(broken.body())).contains("Unexpected response from Vertex AI: <html>502");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(TestBuffers.drain(refused.body())).contains("VertexAIException - denied");
    }

    private static String encode(TestBuffers.Kind kind, String json) {
        ByteBuf body = TestBuffers.of(kind, json);
        try {
            return TestBuffers.drain(VertexEmbeddings.encode(TestBuffers.ALLOC, body));
        } finally {
            body.release();
        }
    }

    private static TranslatedBody translate(TestBuffers.Kind kind, String json) {
        ByteBuf body = TestBuffers.of(kind, json);
        try {
            return VertexEmbeddings.translate(TestBuffers.ALLOC, body, "text-embedding-005", "VertexAI");
        } finally {
            body.release();
        }
    }
}
