package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.bench.mock.RecordedRequest;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.provider.Endpoint;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/audio/speech} end to end over real sockets, with the body the OpenAI SDK sends
 * ({@code client.audio.speech.create}): OpenAI-compatible and Azure deployments get it with the model rewritten and
 * their audio is relayed as it arrives; Gemini TTS models get a {@code generateContent} request and their base64 PCM
 * comes back as WAV or raw PCM.
 */
class ProxyServerSpeechTest {
    /** The OpenAI SDK's speech body, with the mock's controls beside it. */
    private static final String SPEECH = "{\"input\":\"Hello there\",\"model\":\"%s\",\"voice\":\"%s\"%s}";

    @TempDir
    Path dir;

    private MockProvider mock;
    private ProxyFixture proxy;

    @BeforeEach
    void setUp() {
        mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build());
        proxy = ProxyFixture.builder(dir, """
                model_list:
                  - model_name: tts
                    litellm_params:
                      model: openai/gpt-4o-mini-tts
                      api_base: %1$s/v1
                      api_key: sk-upstream
                    model_info:
                      mode: audio_speech
                  - model_name: azure-tts
                    litellm_params:
                      model: azure/my-tts
                      api_base: %1$s
                      api_key: azure-key
                      api_version: 2025-03-01-preview
                  - model_name: gemini-tts
                    litellm_params:
                      model: gemini/gemini-2.5-flash-preview-tts
                      api_base: %1$s
                      api_key: AIza-test
                  - model_name: chat
                    litellm_params:
                      model: openai/gpt-4o
                      api_base: %1$s/v1
                      api_key: sk-upstream
                    model_info:
                      mode: chat
                """.formatted(mock.origin()))
                .start();
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        mock.close();
    }

    @Test
    void shouldRelayAudioBytesWhenOpenAiDeploymentAnswers() {
        int size = 300_000;
        HttpResponse<byte[]> response = proxy.postForBytes("/v1/audio/speech",
                SPEECH.formatted("tts", "alloy", ",\"mock_audio_bytes\":" + size), "Accept", "application/octet-stream");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("audio/mpeg");
        assertThat(response.headers().firstValue("x-litellm-model-group")).hasValue("tts");
        assertThat(response.body()).isEqualTo(audio(size));
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.uri()).isEqualTo("/v1/audio/speech");
        assertThat(upstream.header("authorization")).isEqualTo("Bearer sk-upstream");
        assertThat(upstream.header("accept")).isEqualTo("*/*");
        assertThat(upstream.body()).isEqualTo(SPEECH.formatted("gpt-4o-mini-tts", "alloy",
                ",\"mock_audio_bytes\":" + size));
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.endpoint()).isEqualTo(Endpoint.AUDIO_SPEECH);
        assertThat(call.status()).isEqualTo(200);
    }

    @Test
    void shouldPassTheFormatsContentTypeWhenClientAsksForWav() {
        HttpResponse<byte[]> response = proxy.postForBytes("/audio/speech",
                SPEECH.formatted("tts", "alloy", ",\"response_format\":\"wav\""));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("audio/wav");
        assertThat(response.body()).hasSize(48_000);
    }

    @Test
    void shouldSendTheFirstAudioBytesBeforeTheProviderHasSentTheRest() throws Exception {
        String body = SPEECH.formatted("tts", "alloy",
                ",\"mock_audio_bytes\":262144,\"mock_hold_after_chunks\":1,\"mock_hold_ms\":1500");
        try (RawClient client = new RawClient(proxy.port())) {
            long sentNanos = System.nanoTime();
            client.send(RawClient.post("/v1/audio/speech", body, ""));
            RawClient.Head head = client.readHead();
            byte[] first = client.readChunk();
            long firstMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentNanos);

            assertThat(head.status()).isEqualTo(200);
            assertThat(head.headers().get("transfer-encoding")).isEqualTo("chunked");
            assertThat(first).isNotEmpty();
            assertThat(firstMillis).as("first audio bytes, ms after the request").isLessThan(1000);
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.write(first);
            for (byte[] chunk = client.readChunk(); chunk != null; chunk = client.readChunk()) {
                all.write(chunk);
            }
            assertThat(all.toByteArray()).isEqualTo(audio(262_144));
        }
    }

    @Test
    void shouldCutTheClientsBodyWhenProviderClosesMidAudio() {
        assertThatThrownBy(() -> proxy.postForBytes("/v1/audio/speech",
                SPEECH.formatted("tts", "alloy", ",\"mock_audio_bytes\":300000,\"mock_cut_after_chunks\":2")))
                .isInstanceOf(UncheckedIOException.class);

        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.endpoint()).isEqualTo(Endpoint.AUDIO_SPEECH);
        assertThat(call.error()).isNotNull();
    }

    @Test
    void shouldCallTheDeploymentPathWhenDeploymentIsAzure() {
        HttpResponse<byte[]> response = proxy.postForBytes("/v1/audio/speech",
                SPEECH.formatted("azure-tts", "alloy", ""));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(audio(48_000));
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.uri()).isEqualTo("/openai/deployments/my-tts/audio/speech?api-version=2025-03-01-preview");
        assertThat(upstream.header("api-key")).isEqualTo("azure-key");
    }

    @Test
    void shouldWrapGeminisPcmInWavWhenNoFormatIsAsked() {
        int size = 96_000;
        HttpResponse<byte[]> response = proxy.postForBytes("/v1/audio/speech",
                SPEECH.formatted("gemini-tts", "Kore", "").replace("Hello there",
                        "{\\\"mock_audio_bytes\\\":" + size + "}"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("audio/wav");
        byte[] wav = response.body();
        assertThat(wav).hasSize(44 + size);
        ByteBuffer header = ByteBuffer.wrap(wav, 0, 44).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(new String(wav, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("RIFF");
        assertThat(header.getInt(4)).isEqualTo(36 + size);
        assertThat(new String(wav, 8, 8, StandardCharsets.US_ASCII)).isEqualTo("WAVEfmt ");
        assertThat(header.getShort(20)).as("PCM").isEqualTo((short) 1);
        assertThat(header.getShort(22)).as("channels").isEqualTo((short) 1);
        assertThat(header.getInt(24)).as("sample rate").isEqualTo(24_000);
        assertThat(header.getInt(28)).as("byte rate").isEqualTo(48_000);
        assertThat(header.getShort(34)).as("bits per sample").isEqualTo((short) 16);
        assertThat(new String(wav, 36, 4, StandardCharsets.US_ASCII)).isEqualTo("data");
        assertThat(header.getInt(40)).isEqualTo(size);
        assertThat(Arrays.copyOfRange(wav, 44, wav.length)).isEqualTo(audio(size));
        RecordedRequest upstream = mock.requests().get(0);
        assertThat(upstream.uri()).isEqualTo("/v1beta/models/gemini-2.5-flash-preview-tts:generateContent");
        assertThat(upstream.header("x-goog-api-key")).isEqualTo("AIza-test");
        assertThat(upstream.body()).isEqualTo("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":"
                + "\"{\\\"mock_audio_bytes\\\":96000}\"}]}],\"generationConfig\":{\"responseModalities\":[\"AUDIO\"],"
                + "\"speechConfig\":{\"voiceConfig\":{\"prebuiltVoiceConfig\":{\"voiceName\":\"Kore\"}}}}}");
        CallRecord call = proxy.awaitCalls(1);
        assertThat(call.endpoint()).isEqualTo(Endpoint.AUDIO_SPEECH);
        assertThat(call.usage()).isEqualTo(new Usage(9, 50, 59));
    }

    @Test
    void shouldReturnRawPcmWhenClientAsksForPcm() {
        HttpResponse<byte[]> response = proxy.postForBytes("/v1/audio/speech",
                SPEECH.formatted("gemini-tts", "Puck", ",\"response_format\":\"pcm\""));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("audio/pcm");
        assertThat(response.body()).isEqualTo(audio(48_000));
    }

    @Test
    void shouldRefuseWith400WhenGeminiIsAskedForMp3() {
        HttpResponse<String> response = proxy.post("/v1/audio/speech",
                SPEECH.formatted("gemini-tts", "Kore", ",\"response_format\":\"mp3\""));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("Gemini TTS only produces raw PCM16 audio, so response_format='mp3' is "
                + "not supported. Supported response formats: pcm, wav.");
        assertThat(mock.requests()).isEmpty();
    }

    @Test
    void shouldTranslateGeminisErrorWhenGeminiRefuses() {
        HttpResponse<String> response = proxy.post("/v1/audio/speech",
                SPEECH.formatted("gemini-tts", "Kore", "").replace("Hello there",
                        "{\\\"mock_status\\\":429}"));

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(response.body()).startsWith("{\"error\":{\"message\":\"GeminiException - ");
    }

    @Test
    void shouldRefuseWith400WhenInputIsMissing() {
        HttpResponse<String> response = proxy.post("/v1/audio/speech", "{\"model\":\"tts\",\"voice\":\"alloy\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("Missing required field: input");
        assertThat(mock.requests()).isEmpty();
    }

    @Test
    void shouldRefuseEachOthersEndpointWhenModesDiffer() {
        HttpResponse<String> chatOnSpeech = proxy.post("/v1/audio/speech", SPEECH.formatted("chat", "alloy", ""));
        HttpResponse<String> speechOnChat = proxy.chat("tts");

        assertThat(chatOnSpeech.statusCode()).isEqualTo(400);
        assertThat(chatOnSpeech.body()).contains("The model `chat` has mode `chat`");
        assertThat(speechOnChat.statusCode()).isEqualTo(400);
        assertThat(speechOnChat.body()).contains("has mode `audio_speech`", "use /v1/audio/speech");
        assertThat(mock.requests()).isEmpty();
    }

    /** The mock's audio: its fixed byte pattern. */
    private static byte[] audio(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        return bytes;
    }
}
