package dev.llmproxy.codec.rerank;

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

/** Cohere-style rerank requests as Voyage AI's, and Voyage's answers and errors as Cohere's and OpenAI's. */
class VoyageRerankTest {

    @ParameterizedTest
    @EnumSource(TestBuffers.Kind.class)
    void shouldRenameTopNAndDropCohereOnlyParametersWhenEncoding(TestBuffers.Kind kind) {
        ByteBuf body = TestBuffers.of(kind, "{\"model\":\"voyage-rerank\",\"query\":\"q\",\"documents\":[\"a\","
                + "{\"text\":\"b\"}],\"top_n\":1,\"return_documents\":false,\"rank_fields\":[\"text\"],"
                + "\"max_chunks_per_doc\":3}");
        try {
            assertThat(TestBuffers.drain(VoyageRerank.encode(TestBuffers.ALLOC, body, "rerank-2.5")))
                    .isEqualTo("{\"model\":\"rerank-2.5\",\"query\":\"q\",\"documents\":[\"a\",{\"text\":\"b\"}],"
                            + "\"top_k\":1,\"return_documents\":false}");
        } finally {
            body.release();
        }
    }

    @Test
    void shouldRefuseWhenBodyIsNotAnObject() {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.HEAP, "[1]");
        try {
            assertThatThrownBy(() -> VoyageRerank.encode(TestBuffers.ALLOC, body, "m"))
                    .isInstanceOf(InvalidRequestException.class);
        } finally {
            body.release();
        }
    }

    @ParameterizedTest
    @EnumSource(TestBuffers.Kind.class)
    void shouldAnswerInCoheresShapeWhenVoyageAnswers(TestBuffers.Kind kind) {
        TranslatedBody out = translate(kind, "{\"object\":\"list\",\"data\":[{\"relevance_score\":0.88,\"index\":0,"
                + "\"document\":\"Paris\"},{\"relevance_score\":3.5E-1,\"index\":2,\"document\":{\"text\":\"x\"}}],"
                + "\"model\":\"rerank-2.5\",\"usage\":{\"total_tokens\":30}}");

        assertThat(out.status()).isEqualTo(200);
        assertThat(out.usage()).isEqualTo(new Usage(30, 0, 30));
        assertThat(TestBuffers.drain(out.body())).isEqualTo("{\"id\":\"voyage-rerank-rerank-2.5\",\"results\":["
                + "{\"index\":0,\"relevance_score\":0.88,\"document\":{\"text\":\"Paris\"}},"
                + "{\"index\":2,\"relevance_score\":3.5E-1,\"document\":{\"text\":\"x\"}}],"
                + "\"meta\":{\"billed_units\":{\"total_tokens\":30},\"tokens\":{\"input_tokens\":30,"
                + "\"output_tokens\":0}}}");
    }

    @Test
    void shouldAnswer500WhenVoyagesAnswerHasNoResults() {
        for (String body : new String[] {"{\"object\":\"list\"}", "{\"data\":[{\"index\":0}]}", "{\"data\":[1]}",
                "not json", "{\"data\":[]} trailing"}) {
            TranslatedBody out = translate(TestBuffers.Kind.HEAP, body);

            assertThat(out.status()).as(body).isEqualTo(500);
            assertThat(TestBuffers.drain(out.body())).as(body)
                    .contains("VoyageException - No results found in the response=");
        }
    }

    @Test
    void shouldKeepTheStatusAndQuoteTheDetailWhenVoyageRefuses() {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.HEAP, "{\"detail\":\"Provided API key is invalid.\"}");
        try {
            TranslatedBody out = VoyageRerank.translateError(TestBuffers.ALLOC, 401, body);

            assertThat(out.status()).isEqualTo(401);
            assertThat(TestBuffers.drain(out.body())).contains("\"message\":\"VoyageException - {\\\"detail\\\":"
                    + "\\\"Provided API key is invalid.\\\"}\"", "\"type\":\"authentication_error\"");
        } finally {
            body.release();
        }
    }

    private static TranslatedBody translate(TestBuffers.Kind kind, String json) {
        ByteBuf body = TestBuffers.of(kind, json);
        try {
            return VoyageRerank.translate(TestBuffers.ALLOC, body, "rerank-2.5");
        } finally {
            body.release();
        }
    }
}
