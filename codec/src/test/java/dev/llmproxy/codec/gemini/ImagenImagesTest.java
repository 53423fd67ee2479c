package dev.llmproxy.codec.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.codec.openai.InvalidRequestException;
import dev.llmproxy.codec.openai.TranslatedBody;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ImagenImagesTest {
    private static String encode(String request) {
        ByteBuf body = Unpooled.copiedBuffer(request, StandardCharsets.UTF_8);
        ByteBuf encoded = ImagenImages.encode(ByteBufAllocator.DEFAULT, body);
        try {
            return encoded.toString(StandardCharsets.UTF_8);
        } finally {
            encoded.release();
            body.release();
        }
    }

    private static TranslatedBody translate(String answer) {
        ByteBuf body = Unpooled.copiedBuffer(answer, StandardCharsets.UTF_8);
        try {
            return ImagenImages.translate(ByteBufAllocator.DEFAULT, body, 1700000000L, "VertexAI");
        } finally {
            body.release();
        }
    }

    private static String text(TranslatedBody translated) {
        try {
            return translated.body().toString(StandardCharsets.UTF_8);
        } finally {
            translated.body().release();
        }
    }

    @Test
    void shouldMapSizesToImagensAspectRatiosAndOthersToSquare() {
        assertThat(encode("{\"prompt\":\"p\",\"size\":\"896x1280\",\"quality\":\"hd\"}"))
                .isEqualTo("{\"instances\":[{\"prompt\":\"p\"}],\"parameters\":{\"sampleCount\":1,"
                        + "\"aspectRatio\":\"3:4\"}}");
        assertThat(encode("{\"size\":\"512x512\",\"n\":3,\"prompt\":\"p\"}"))
                .isEqualTo("{\"instances\":[{\"prompt\":\"p\"}],\"parameters\":{\"sampleCount\":3,"
                        + "\"aspectRatio\":\"1:1\"}}");
    }

    @Test
    void shouldRefuseARequestWithoutPrompt() {
        assertThatThrownBy(() -> encode("{\"n\":1}")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("Missing required field: prompt");
    }

    @Test
    void shouldSkipFilteredPredictionsWhichCarryNoBytes() {
        TranslatedBody translated = translate("{\"predictions\":[{\"raiFilteredReason\":\"blocked\"},"
                + "{\"mimeType\":\"image/png\",\"bytesBase64Encoded\":\"QUJD\"}]}");

        assertThat(translated.status()).isEqualTo(200);
        assertThat(text(translated)).isEqualTo("{\"created\":1700000000,\"data\":[{\"b64_json\":\"QUJD\"}]}");
    }

    @Test
    void shouldAnswerGooglesErrorObjectAsAnOpenAiError() {
        TranslatedBody translated = translate("{\"error\":{\"code\":400,\"message\":\"Image prompt blocked\","
                + "\"status\":\"INVALID_ARGUMENT\"}}");

        assertThat(translated.status()).isEqualTo(400);
        assertThat(text(translated)).contains("Image prompt blocked");
    }
}
