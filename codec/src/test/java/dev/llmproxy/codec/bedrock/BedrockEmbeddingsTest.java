package dev.llmproxy.codec.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.codec.openai.InvalidRequestException;
import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.openai.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BedrockEmbeddingsTest {
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private final List<ByteBuf> buffers = new ArrayList<>();

    @AfterEach
    void releaseAll() {
        for (ByteBuf buffer : buffers) {
            buffer.release();
        }
    }

    private ByteBuf json(String text) {
        ByteBuf buf = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
        buffers.add(buf);
        return buf;
    }

    private String encoded(BedrockEmbeddings embeddings, int call) {
        ByteBuf body = embeddings.encode(alloc, call);
        buffers.add(body);
        return body.toString(StandardCharsets.UTF_8);
    }

    private String text(TranslatedBody translated) {
        buffers.add(translated.body());
        return translated.body().toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldKnowTheFamiliesByModelIdIncludingProfilesAndArns() {
        assertThat(BedrockEmbeddings.family("amazon.titan-embed-text-v1"))
                .isEqualTo(BedrockEmbeddings.Family.TITAN_TEXT_V1);
        assertThat(BedrockEmbeddings.family("arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0"))
                .isEqualTo(BedrockEmbeddings.Family.TITAN_TEXT_V2);
        assertThat(BedrockEmbeddings.family("amazon.titan-embed-image-v1"))
                .isEqualTo(BedrockEmbeddings.Family.TITAN_MULTIMODAL);
        assertThat(BedrockEmbeddings.family("us.cohere.embed-v4:0")).isEqualTo(BedrockEmbeddings.Family.COHERE);
        assertThat(BedrockEmbeddings.family("anthropic.claude-3-haiku")).isNull();
    }

    @Test
    void shouldMakeOneTitanCallPerInputAndOneCohereCallForAll() {
        String request = "{\"model\":\"m\",\"input\":[\"a\",\"b\",\"c\"],\"dimensions\":512,\"normalize\":false}";
        BedrockEmbeddings titan = BedrockEmbeddings.read(json(request), "amazon.titan-embed-text-v2:0", false);
        BedrockEmbeddings cohere = BedrockEmbeddings.read(json(request), "cohere.embed-multilingual-v3", false);

        assertThat(titan.calls()).isEqualTo(3);
        assertThat(encoded(titan, 2)).isEqualTo(
                "{\"inputText\":\"c\",\"dimensions\":512,\"normalize\":false,\"embeddingTypes\":[\"float\"]}");
        assertThat(cohere.calls()).isEqualTo(1);
        assertThat(encoded(cohere, 0)).isEqualTo(
                "{\"texts\":[\"a\",\"b\",\"c\"],\"input_type\":\"search_document\",\"output_dimension\":512}");
    }

    @Test
    void shouldDropDimensionsForTitanV1OnlyWithDropParams() {
        String request = "{\"input\":\"a\",\"dimensions\":256}";

        assertThatThrownBy(() -> BedrockEmbeddings.read(json(request), "amazon.titan-embed-text-v1", false))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("'dimensions'");
        assertThat(encoded(BedrockEmbeddings.read(json(request), "amazon.titan-embed-text-v1", true), 0))
                .isEqualTo("{\"inputText\":\"a\"}");
    }

    @Test
    void shouldRefuseRequestsThatAreNotEmbeddingsOfStrings() {
        assertThatThrownBy(() -> BedrockEmbeddings.read(json("{\"model\":\"m\"}"), "cohere.embed-english-v3", false))
                .isInstanceOf(InvalidRequestException.class).hasMessage("Missing required field: input");
        assertThatThrownBy(() -> BedrockEmbeddings.read(json("{\"input\":[]}"), "cohere.embed-english-v3", false))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> BedrockEmbeddings.read(json("{\"input\":\"a\"}"), "amazon.nova-pro-v1:0", false))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("amazon.nova-pro-v1:0");
    }

    @Test
    void shouldSumTitanTokensFromBodiesAndFallBackToTheHeader() {
        BedrockEmbeddings titan = BedrockEmbeddings.read(json("{\"input\":[\"a\",\"b\"]}"),
                "amazon.titan-embed-text-v2:0", false);

        TranslatedBody answer = titan.aggregate(alloc, List.of(
                json("{\"embedding\":[0.1,0.2],\"inputTextTokenCount\":4}"),
                json("{\"embeddingsByType\":{\"float\":[0.3,0.4]}}")), new long[] {-1, 7}, "titan");

        assertThat(text(answer)).isEqualTo("{\"object\":\"list\",\"data\":["
                + "{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.1,0.2]},"
                + "{\"object\":\"embedding\",\"index\":1,\"embedding\":[0.3,0.4]}],"
                + "\"model\":\"titan\",\"usage\":{\"prompt_tokens\":11,\"total_tokens\":11}}");
        assertThat(answer.usage()).isEqualTo(Usage.of(11, 0));
    }

    @Test
    void shouldReadCohereEmbeddingsByTypeAndItsBilledUnits() {
        BedrockEmbeddings cohere = BedrockEmbeddings.read(json("{\"input\":[\"a\",\"b\"]}"), "cohere.embed-v4", false);

        TranslatedBody answer = cohere.aggregate(alloc, List.of(json("{\"id\":\"x\",\"embeddings\":{\"float\":"
                + "[[1.0],[2.0]]},\"meta\":{\"billed_units\":{\"input_tokens\":5}}}")), new long[] {9}, "c");

        assertThat(text(answer)).contains("\"index\":1,\"embedding\":[2.0]}")
                .endsWith("\"usage\":{\"prompt_tokens\":5,\"total_tokens\":5}}");
    }

    @Test
    void shouldAnswer500WhenAnAnswerHoldsNoEmbeddingOrTooFew() {
        BedrockEmbeddings titan =
                BedrockEmbeddings.read(json("{\"input\":\"a\"}"), "amazon.titan-embed-text-v1", false);
        BedrockEmbeddings cohere = BedrockEmbeddings.read(json("{\"input\":[\"a\",\"b\"]}"), "cohere.embed-v4", false);

        TranslatedBody empty = titan.aggregate(alloc, List.of(json("{\"message\":\"odd\"}")), new long[] {-1}, "t");
        TranslatedBody short1 =
                cohere.aggregate(alloc, List.of(json("{\"embeddings\":[[1.0]]}")), new long[] {1}, "c");

        assertThat(empty.status()).isEqualTo(500);
        assertThat(text(empty)).contains("BedrockException - odd");
        assertThat(short1.status()).isEqualTo(500);
        assertThat(text(short1)).contains("Bedrock answered 1 embeddings for 2 inputs");
    }
}
