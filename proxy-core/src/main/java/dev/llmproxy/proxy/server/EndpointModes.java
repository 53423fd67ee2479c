package dev.llmproxy.proxy.server;

import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.route.ModelRoute;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Which endpoints a model accepts, by its {@code model_info.mode} (LiteLLM's modes): a model called on an endpoint its
 * mode does not serve is refused with a 400 naming the model and its mode, before any provider is called, instead of
 * the provider's own, often confusing, error.
 *
 * <ul>
 *   <li>no mode, or a mode llmproxy does not know: every endpoint (LiteLLM's default is chat, but it does not refuse);
 *   <li>{@code chat}: chat completions, the Responses API (bridged where the provider has none) and Anthropic's
 *       Messages API; not text completions, embeddings or the media endpoints;
 *   <li>{@code completion}: text completions; {@code embedding}: embeddings; {@code responses}: the Responses API;
 *       {@code audio_speech}: speech; {@code image_generation}: image generation; {@code moderation}: moderations;
 *       {@code rerank}: rerank;
 *   <li>{@code audio_transcription}, {@code batch}, {@code realtime}: none of the endpoints above.
 * </ul>
 *
 * <p>The mode is the first deployment's of the group: a group mixes deployments of one kind. Thread-safety: stateless.
 */
final class EndpointModes {

    private EndpointModes() {
    }

    /** The client's error message when {@code route}'s mode refuses {@code endpoint}, else {@code null}. */
    static @Nullable String refusal(ModelRoute route, Endpoint endpoint, String model) {
        Object configured = route.targets().get(0).deployment().config().modelInfo().other().get("mode");
        if (configured == null) {
            return null;
        }
        String mode = configured.toString().trim().toLowerCase(Locale.ROOT);
        if (accepts(mode, endpoint)) {
            return null;
        }
        return "The model `" + model + "` has mode `" + mode + "` (model_info.mode) and cannot be called on "
                + endpoint.path() + "; " + hint(mode);
    }

    static boolean accepts(String mode, Endpoint endpoint) {
        return switch (mode) {
            case "chat" -> endpoint == Endpoint.CHAT_COMPLETIONS || endpoint == Endpoint.MESSAGES
                    || endpoint == Endpoint.MESSAGES_COUNT_TOKENS || endpoint == Endpoint.RESPONSES;
            case "completion" -> endpoint == Endpoint.COMPLETIONS;
            case "embedding" -> endpoint == Endpoint.EMBEDDINGS;
            case "responses" -> endpoint == Endpoint.RESPONSES;
            case "audio_transcription" ->
                endpoint == Endpoint.AUDIO_TRANSCRIPTIONS || endpoint == Endpoint.AUDIO_TRANSLATIONS;
            case "audio_speech" -> endpoint == Endpoint.AUDIO_SPEECH;
            case "image_generation" -> endpoint == Endpoint.IMAGE_GENERATIONS || endpoint == Endpoint.IMAGES_EDITS
                    || endpoint == Endpoint.IMAGES_VARIATIONS;
            case "moderation" -> endpoint == Endpoint.MODERATIONS;
            case "rerank" -> endpoint == Endpoint.RERANK;
            case "batch", "realtime" -> false;
            default -> true;
        };
    }

    private static String hint(String mode) {
        return switch (mode) {
            case "chat" -> "use /v1/chat/completions or /v1/responses";
            case "completion" -> "use /v1/completions";
            case "embedding" -> "use /v1/embeddings";
            case "responses" -> "use /v1/responses";
            case "audio_transcription" -> "use /v1/audio/transcriptions or /v1/audio/translations";
            case "audio_speech" -> "use /v1/audio/speech";
            case "image_generation" -> "use /v1/images/generations, /v1/images/edits or /v1/images/variations";
            case "moderation" -> "use /v1/moderations";
            case "rerank" -> "use /v1/rerank";
            default -> "this llmproxy version does not serve that mode's endpoint";
        };
    }
}
