package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.proxy.provider.Endpoint;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which endpoints each {@code model_info.mode} accepts ({@link EndpointModes}). */
class EndpointModesTest {

    @ParameterizedTest
    @CsvSource({
        "chat, CHAT_COMPLETIONS, true", "chat, RESPONSES, true", "chat, COMPLETIONS, false",
        "chat, EMBEDDINGS, false",
        "completion, COMPLETIONS, true", "completion, CHAT_COMPLETIONS, false",
        "embedding, EMBEDDINGS, true", "embedding, RESPONSES, false", "embedding, CHAT_COMPLETIONS, false",
        "responses, RESPONSES, true", "responses, CHAT_COMPLETIONS, false",
        "audio_speech, CHAT_COMPLETIONS, false", "rerank, EMBEDDINGS, false", "image_generation, RESPONSES, false",
        "audio_transcription, AUDIO_TRANSCRIPTIONS, true", "audio_transcription, AUDIO_TRANSLATIONS, true",
        "audio_transcription, CHAT_COMPLETIONS, false", "chat, AUDIO_TRANSCRIPTIONS, false",
        "image_generation, IMAGES_EDITS, true", "image_generation, IMAGES_VARIATIONS, true",
        "chat, IMAGES_EDITS, false", "some_future_mode, AUDIO_TRANSCRIPTIONS, true",
        "audio_speech, AUDIO_SPEECH, true", "image_generation, IMAGE_GENERATIONS, true",
        "moderation, MODERATIONS, true", "rerank, RERANK, true", "rerank, MODERATIONS, false",
        "chat, AUDIO_SPEECH, false", "chat, IMAGE_GENERATIONS, false", "chat, RERANK, false",
        "embedding, RERANK, false", "audio_transcription, AUDIO_SPEECH, false",
        "some_future_mode, CHAT_COMPLETIONS, true"})
    void shouldAcceptOnlyTheEndpointsOfTheModelsMode(String mode, Endpoint endpoint, boolean accepted) {
        assertThat(EndpointModes.accepts(mode, endpoint)).isEqualTo(accepted);
    }
}
