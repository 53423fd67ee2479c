package dev.llmproxy.codec.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.codec.openai.InvalidRequestException;
import dev.llmproxy.codec.openai.TranslatedBody;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BedrockImagesTest {
    private static String encode(String request, String modelId) {
        ByteBuf body = Unpooled.copiedBuffer(request, StandardCharsets.UTF_8);
        try {
            ByteBuf encoded = BedrockImages.encode(ByteBufAllocator.DEFAULT, body, modelId);
            try {
                return encoded.toString(StandardCharsets.UTF_8);
            } finally {
                encoded.release();
            }
        } finally {
            body.release();
        }
    }

    private static String translated(String answer, int status) {
        ByteBuf body = Unpooled.copiedBuffer(answer, StandardCharsets.UTF_8);
        try {
            TranslatedBody translated = BedrockImages.translate(ByteBufAllocator.DEFAULT, body, 1700000000L);
            assertThat(translated.status()).isEqualTo(status);
            try {
                return translated.body().toString(StandardCharsets.UTF_8);
            } finally {
                translated.body().release();
            }
        } finally {
            body.release();
        }
    }

    @Test
    void shouldWriteNovaCanvasLikeTitanWithoutOptionsItWasNotGiven() {
        assertThat(encode("{\"prompt\":\"a fox\",\"response_format\":\"b64_json\"}", "amazon.nova-canvas-v1:0"))
                .isEqualTo("{\"taskType\":\"TEXT_IMAGE\",\"textToImageParams\":{\"text\":\"a fox\"},"
                        + "\"imageGenerationConfig\":{}}");
    }

    @Test
    void shouldRefuseASizeThatIsNotWidthByHeight() {
        assertThatThrownBy(() -> encode("{\"prompt\":\"p\",\"size\":\"large\"}", "amazon.titan-image-generator-v1"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("size: expected <width>x<height>");
    }

    @Test
    void shouldRefuseModelsThatAreNotImageModels() {
        assertThatThrownBy(() -> encode("{\"prompt\":\"p\"}", "stability.stable-diffusion-xl-v1"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("not stability.stable-diffusion-xl-v1");
    }

    @Test
    void shouldAnswer500NamingBedrocksErrorWhenThereAreNoImages() {
        assertThat(translated("{\"images\":[],\"error\":\"content filtered\"}", 500))
                .contains("BedrockException - content filtered");
        assertThat(translated("{\"images\":[\"QUJD\"]}", 200))
                .isEqualTo("{\"created\":1700000000,\"data\":[{\"b64_json\":\"QUJD\"}]}");
    }
}
