package dev.llmproxy.codec.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.codec.openai.InvalidRequestException;
import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** OpenAI speech requests as Gemini TTS requests, and Gemini's base64 PCM answers as WAV or raw audio. */
class GeminiSpeechTest {
    private static final byte[] PCM = {1, 2, 3, 4, 5, 6, (byte) 0xff, 0};

    @ParameterizedTest
    @EnumSource(TestBuffers.Kind.class)
    void shouldAskForAudioInTheVoiceWhenSpeechIsRequested(TestBuffers.Kind kind) {
        ByteBuf body = TestBuffers.of(kind, "{\"model\":\"tts\",\"input\":\"Say \\\"hi\\\"\",\"voice\":\"Kore\","
                + "\"speed\":1.2,\"instructions\":\"calm\",\"response_format\":\"WAV\"}");
        try {
            assertThat(TestBuffers.drain(GeminiSpeech.encode(TestBuffers.ALLOC, body, "gemini-2.5-flash-preview-tts")))
                    .isEqualTo("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Say \\\"hi\\\"\"}]}],"
                            + "\"generationConfig\":{\"responseModalities\":[\"AUDIO\"],\"speechConfig\":"
                            + "{\"voiceConfig\":{\"prebuiltVoiceConfig\":{\"voiceName\":\"Kore\"}}}}}");
        } finally {
            body.release();
        }
    }

    @Test
    void shouldLeaveTheVoiceToGeminiWhenNoneIsGiven() {
        assertThat(encode("{\"input\":\"hi\"}")).isEqualTo("{\"contents\":[{\"role\":\"user\",\"parts\":"
                + "[{\"text\":\"hi\"}]}],\"generationConfig\":{\"responseModalities\":[\"AUDIO\"]}}");
    }

    @Test
    void shouldRefuseWithLiteLlmsMessageWhenFormatIsNotWavOrPcm() {
        assertThatThrownBy(() -> encode("{\"input\":\"hi\",\"response_format\":\"opus\"}"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("Gemini TTS only produces raw PCM16 audio, so response_format='opus' is not supported. "
                        + "Supported response formats: pcm, wav.");
    }

    @Test
    void shouldRefuseWhenInputIsNotText() {
        assertThatThrownBy(() -> encode("{\"input\":[\"hi\"]}")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("input");
        assertThatThrownBy(() -> encode("{\"input\":\"hi\"")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("request body is not valid JSON");
    }

    @Test
    void shouldTellRawPcmFromWavWhenReadingTheFormat() {
        assertThat(wantsRawPcm("{\"response_format\":\"pcm\",\"input\":\"x\"}")).isTrue();
        assertThat(wantsRawPcm("{\"response_format\":\"wav\"}")).isFalse();
        assertThat(wantsRawPcm("{\"input\":\"x\"}")).isFalse();
        assertThat(wantsRawPcm("not json")).isFalse();
    }

    @ParameterizedTest
    @EnumSource(TestBuffers.Kind.class)
    void shouldPutAWavHeaderBeforeThePcmWhenWavIsWanted(TestBuffers.Kind kind) {
        TranslatedBody out = translate(kind, answer("audio/L16;codec=pcm;rate=16000", PCM), false);

        byte[] wav = ByteBufUtil.getBytes(out.body());
        out.body().release();
        assertThat(out.status()).isEqualTo(200);
        assertThat(out.usage()).isEqualTo(new Usage(7, 3, 10));
        assertThat(wav).hasSize(44 + PCM.length);
        ByteBuffer header = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(new String(wav, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("RIFF");
        assertThat(header.getInt(4)).isEqualTo(36 + PCM.length);
        assertThat(new String(wav, 8, 8, StandardCharsets.US_ASCII)).isEqualTo("WAVEfmt ");
        assertThat(new String(wav, 36, 4, StandardCharsets.US_ASCII)).isEqualTo("data");
        assertThat(header.getInt(16)).isEqualTo(16);
        assertThat(header.getInt(24)).as("sample rate from the MIME type").isEqualTo(16_000);
        assertThat(header.getInt(28)).isEqualTo(32_000);
        assertThat(header.getShort(32)).isEqualTo((short) 2);
        assertThat(header.getInt(40)).isEqualTo(PCM.length);
        assertThat(Arrays.copyOfRange(wav, 44, wav.length)).isEqualTo(PCM);
    }

    @Test
    void shouldReturnTheSamplesAloneWhenPcmIsWanted() {
        TranslatedBody out = translate(TestBuffers.Kind.HEAP, answer("audio/L16;codec=pcm;rate=24000", PCM), true);

        assertThat(ByteBufUtil.getBytes(out.body())).isEqualTo(PCM);
        out.body().release();
        assertThat(GeminiSpeech.contentType(true)).isEqualTo("audio/pcm");
        assertThat(GeminiSpeech.contentType(false)).isEqualTo("audio/wav");
    }

    @Test
    void shouldJoinAudioPartsInOrderWhenGeminiSplitsTheAudio() {
        String b64a = Base64.getEncoder().encodeToString(new byte[] {1, 2});
        String b64b = Base64.getEncoder().encodeToString(new byte[] {3, 4});
        TranslatedBody out = translate(TestBuffers.Kind.DIRECT, "{\"candidates\":[{\"content\":{\"parts\":["
                + "{\"inlineData\":{\"mimeType\":\"audio/L16;rate=24000\",\"data\":\"" + b64a + "\"}},"
                + "{\"text\":\"ignored\"},{\"inline_data\":{\"mime_type\":\"audio/L16\",\"data\":\"" + b64b + "\"}}],"
                + "\"role\":\"model\"}}]}", true);

        assertThat(ByteBufUtil.getBytes(out.body())).containsExactly(1, 2, 3, 4);
        out.body().release();
        assertThat(out.usage()).isNull();
    }

    @Test
    void shouldAnswer500WhenGeminiSentNoAudio() {
        TranslatedBody out = translate(TestBuffers.Kind.HEAP, "{\"candidates\":[{\"content\":{\"parts\":[]},"
                + "\"finishReason\":\"OTHER\"}]}", false);

        assertThat(out.status()).isEqualTo(500);
        assertThat(TestBuffers.drain(out.body())).contains("GeminiException - Gemini returned no audio "
                + "(finishReason OTHER)");
    }

    @Test
    void shouldAnswer500QuotingTheBodyWhenItIsNotJson() {
        TranslatedBody out = translate(TestBuffers.Kind.HEAP, "<html>bad gateway</html>", false);

        assertThat(out.status()).isEqualTo(500);
        assertThat(TestBuffers.drain(out.body())).contains("Unexpected response from Gemini: <html>bad gateway");
    }

    @Test
    void shouldTranslateAnErrorObjectWhenItCameWith200() {
        TranslatedBody out = translate(TestBuffers.Kind.HEAP, "{\"error\":{\"code\":429,\"message\":\"Quota\","
                + "\"status\":\"RESOURCE_EXHAUSTED\"}}", false);

        assertThat(out.status()).isEqualTo(429);
        assertThat(TestBuffers.drain(out.body())).contains("GeminiException - Quota");
    }

    @Test
    void shouldFallBackTo24kHzWhenTheMimeTypeHasNoUsableRate() {
        assertThat(GeminiSpeech.sampleRate(null)).isEqualTo(24_000);
        assertThat(GeminiSpeech.sampleRate("audio/L16")).isEqualTo(24_000);
        assertThat(GeminiSpeech.sampleRate("audio/L16; RATE=8000")).isEqualTo(8_000);
        assertThat(GeminiSpeech.sampleRate("audio/L16;rate=x")).isEqualTo(24_000);
        assertThat(GeminiSpeech.sampleRate("audio/L16;rate=-5")).isEqualTo(24_000);
    }

    private static String answer(String mimeType, byte[] pcm) {
        return "{\"candidates\":[{\"content\":{\"parts\":[{\"inlineData\":{\"mimeType\":\"" + mimeType
                + "\",\"data\":\"" + Base64.getEncoder().encodeToString(pcm) + "\"}}],\"role\":\"model\"},"
                + "\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":7,"
                + "\"candidatesTokenCount\":3,\"totalTokenCount\":10},\"modelVersion\":\"gemini-2.5-flash-preview-tts\"}";
    }

    private static TranslatedBody translate(TestBuffers.Kind kind, String json, boolean rawPcm) {
        ByteBuf body = TestBuffers.of(kind, json);
        try {
            return GeminiSpeech.translate(TestBuffers.ALLOC, body, rawPcm, "Gemini");
        } finally {
            body.release();
        }
    }

    private static String encode(String json) {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.HEAP, json);
        try {
            return TestBuffers.drain(GeminiSpeech.encode(TestBuffers.ALLOC, body, "gemini-2.5-flash-preview-tts"));
        } finally {
            body.release();
        }
    }

    private static boolean wantsRawPcm(String json) {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.HEAP, json);
        try {
            return GeminiSpeech.wantsRawPcm(body);
        } finally {
            body.release();
        }
    }
}
