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
 *   <li>{@code chat}: chat completions, the Responses API (bridged where the provider has none), and every other
 *       chat-shaped endpoint; not text completions or embeddings;
 *   <li>{@code completion}: text completions; {@code embedding}: embeddings; {@code responses}: the Responses API;
 *   <li>{@code image_generation}, {@code audio_transcription}, {@code audio_speech}, {@code moderation},
 *       {@code rerank}, {@code batch}, {@code realtime}: none of the endpoints above.
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
            case "chat" -> endpoint != Endpoint.COMPLETIONS && endpoint != Endpoint.EMBEDDINGS && !endpoint.isUpload();
            case "completion" -> endpoint == Endpoint.COMPLETIONS;
            case "embedding" -> endpoint == Endpoint.EMBEDDINGS;
            case "responses" -> endpoint == Endpoint.RESPONSES;
            case "audio_transcription" ->
                endpoint == Endpoint.AUDIO_TRANSCRIPTIONS || endpoint == Endpoint.AUDIO_TRANSLATIONS;
            case "image_generation" -> endpoint == Endpoint.IMAGES_EDITS || endpoint == Endpoint.IMAGES_VARIATIONS;
            case "audio_speech", "moderation", "rerank", "batch", "realtime" -> false;
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
            default -> "this llmproxy version does not serve that mode's endpoint";
        };
    }
}
