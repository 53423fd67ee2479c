package dev.llmproxy.proxy.provider;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.gemini.GeminiRequestEncoder;
import dev.llmproxy.codec.gemini.GeminiRequestOptions;
import dev.llmproxy.codec.gemini.GeminiSpeech;
import dev.llmproxy.codec.gemini.ImagenImages;
import dev.llmproxy.codec.gemini.VertexEmbeddings;
import dev.llmproxy.codec.json.RequestInfo;
import dev.llmproxy.codec.openai.InvalidRequestException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.AsciiString;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Google's Gemini API, as Google AI Studio ({@code gemini/} deployments) and Vertex AI ({@code vertex_ai/} Gemini
 * models) serve it: OpenAI chat requests are encoded as {@code generateContent} bodies, embeddings requests as
 * {@code batchEmbedContents} bodies ({@link GeminiRequestEncoder}) on AI Studio and {@code :predict} bodies
 * ({@link VertexEmbeddings}) on Vertex AI, speech requests as TTS {@code generateContent} bodies ({@link GeminiSpeech}),
 * image generation requests on Imagen models as {@code :predict} bodies ({@link ImagenImages}), and the answers,
 * whole or streamed, translated back by a {@link GeminiTranslator} (a {@link GeminiSpeechTranslator} for speech, an
 * {@link ImagenTranslator} for images).
 *
 * <p>URLs: AI Studio {@code <base>/v1beta/models/<model>:generateContent} ({@code :streamGenerateContent?alt=sse}
 * when streaming, {@code :batchEmbedContents} for embeddings) with the key in {@code x-goog-api-key}; Vertex AI
 * {@code <base>/v1/projects/<project>/locations/<location>/publishers/google/models/<model>:...} with an OAuth bearer
 * token. A base URL that already names a model ({@code .../models/<model>}, LiteLLM's custom {@code api_base} form)
 * gets {@code :<method>} appended as it is.
 *
 * <p>Thread-safety: immutable.
 */
public final class GeminiAdapter implements ProviderAdapter {
    static final AsciiString X_GOOG_API_KEY = AsciiString.cached("x-goog-api-key");

    private final String provider;
    private final String exceptionName;
    private final @Nullable String modelsPath;
    private final @Nullable String fixedModelPath;
    private final String model;
    private final boolean dropParams;
    private final Set<String> additionalDropParams;
    private final UpstreamAuth auth;

    private GeminiAdapter(Settings settings, @Nullable String modelsPath, @Nullable String fixedModelPath) {
        this.provider = settings.vertex() ? "vertex_ai" : "gemini";
        this.exceptionName = settings.vertex() ? "VertexAI" : "Gemini";
        this.modelsPath = modelsPath;
        this.fixedModelPath = fixedModelPath;
        this.model = settings.model();
        this.dropParams = settings.dropParams();
        this.additionalDropParams = settings.additionalDropParams();
        this.auth = settings.auth();
    }

    /**
     * Google AI Studio.
     *
     * @param baseUrl {@code https://generativelanguage.googleapis.com} by default; {@code /v1beta} is added unless the
     *     base ends with an API version already
     */
    public static GeminiAdapter aiStudio(BaseUrl baseUrl, Settings settings) {
        String base = requireNonNull(baseUrl, "baseUrl").basePath();
        if (base.contains("/models/")) {
            return new GeminiAdapter(settings, null, base);
        }
        boolean versioned = base.endsWith("/v1beta") || base.endsWith("/v1") || base.endsWith("/v1alpha");
        return new GeminiAdapter(settings, (versioned ? base : base + "/v1beta") + "/models/", null);
    }

    /**
     * Vertex AI's Gemini models.
     *
     * @param baseUrl {@code https://<location>-aiplatform.googleapis.com} by default
     */
    public static GeminiAdapter vertex(BaseUrl baseUrl, String project, String location, Settings settings) {
        String base = requireNonNull(baseUrl, "baseUrl").basePath();
        if (base.contains("/models/") || base.contains("/endpoints/")) {
            return new GeminiAdapter(settings, null, base);
        }
        return new GeminiAdapter(settings, base + "/v1/projects/" + segment(project) + "/locations/"
                + segment(location) + "/publishers/google/models/", null);
    }

    /** The key in {@code x-goog-api-key}, as LiteLLM sends it; without one Google answers 403. */
    public static UpstreamAuth apiKeyAuth(@Nullable String apiKey) {
        return apiKey == null ? UpstreamAuth.NONE : UpstreamAuth.header(X_GOOG_API_KEY, AsciiString.of(apiKey));
    }

    @Override
    public String requestPath(String upstreamModel, Endpoint endpoint, boolean stream) {
        String path = fixedModelPath != null ? fixedModelPath : modelsPath + segment(upstreamModel);
        return switch (endpoint) {
            case EMBEDDINGS -> path + (provider.equals("vertex_ai") ? ":predict" : ":batchEmbedContents");
            case MESSAGES_COUNT_TOKENS -> path + ":countTokens";
            // Speech is one generateContent call; the endpoints Gemini has no form of are refused before sending.
            case IMAGE_GENERATIONS -> path + (ImagenImages.isImagen(upstreamModel) ? ":predict" : ":generateContent");
            case AUDIO_SPEECH, MODERATIONS, RERANK, PASS_THROUGH -> path + ":generateContent";
            // Uploads never reach Gemini (UpstreamAttempt refuses them for every adapter but OpenAI's).
            case CHAT_COMPLETIONS, COMPLETIONS, MESSAGES, RESPONSES, AUDIO_TRANSCRIPTIONS, AUDIO_TRANSLATIONS,
                    IMAGES_EDITS, IMAGES_VARIATIONS ->
                path + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
            // Files and batches have no model path (they are relayed to OpenAI-compatible deployments only).
            case CREATE_FILE, LIST_FILES, RETRIEVE_FILE, FILE_CONTENT, DELETE_FILE, CREATE_BATCH, LIST_BATCHES,
                    RETRIEVE_BATCH, CANCEL_BATCH ->
                throw new IllegalArgumentException(endpoint + " has no model path");
        };
    }

    /** No: Gemini reports usage in every stream. */
    @Override
    public boolean asksForStreamUsage(Endpoint endpoint, RequestInfo info) {
        return false;
    }

    /**
     * Not used: a Gemini request's encoding depends on its endpoint, which
     * {@link #encodeRequest(ByteBufAllocator, ByteBuf, RequestInfo, Endpoint, byte[], boolean)} has.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public ByteBuf encodeRequest(
            ByteBufAllocator alloc, ByteBuf body, RequestInfo info, byte[] upstreamModelJson, boolean askForUsage) {
        throw new UnsupportedOperationException("a Gemini request needs its endpoint: use the six-argument form");
    }

    @Override
    public ByteBuf encodeRequest(ByteBufAllocator alloc, ByteBuf body, RequestInfo info, Endpoint endpoint,
            byte[] upstreamModelJson, boolean askForUsage) {
        GeminiRequestOptions options =
                new GeminiRequestOptions(provider, modelName(upstreamModelJson), dropParams, additionalDropParams);
        return switch (endpoint) {
            case CHAT_COMPLETIONS, MESSAGES -> GeminiRequestEncoder.encodeChat(alloc, body, options);
            case EMBEDDINGS -> provider.equals("vertex_ai") ? VertexEmbeddings.encode(alloc, body)
                    : GeminiRequestEncoder.encodeEmbeddings(alloc, body, options);
            // ResponsesBridgeAdapter hands Gemini the chat translation of a Responses or text completion request.
            case COMPLETIONS, RESPONSES -> throw new InvalidRequestException(
                    endpoint.path() + " reaches " + provider + " models only bridged to chat completions", null);
            // The proxy estimates count_tokens itself for Gemini models (TokenCountAttempt): never sent.
            case MESSAGES_COUNT_TOKENS -> throw new InvalidRequestException(
                    "/v1/messages/count_tokens is answered by the proxy for " + provider + " models", null);
            case AUDIO_TRANSCRIPTIONS, AUDIO_TRANSLATIONS, IMAGES_EDITS, IMAGES_VARIATIONS,
                    CREATE_FILE, LIST_FILES, RETRIEVE_FILE, FILE_CONTENT, DELETE_FILE, CREATE_BATCH, LIST_BATCHES,
                    RETRIEVE_BATCH, CANCEL_BATCH ->
                throw new InvalidRequestException(endpoint.path() + " is not supported for " + provider + " models",
                        "model");
            case AUDIO_SPEECH -> GeminiSpeech.encode(alloc, body, options.model());
            case IMAGE_GENERATIONS -> {
                if (!ImagenImages.isImagen(options.model())) {
                    throw new InvalidRequestException("/images/generations is supported for " + provider
                            + " Imagen models (imagen-*) only", "model");
                }
                yield ImagenImages.encode(alloc, body);
            }
            case MODERATIONS, RERANK, PASS_THROUGH -> throw new InvalidRequestException(
                    endpoint.path() + " is not supported for " + provider + " models by this llmproxy version", null);
        };
    }

    @Override
    public UpstreamAuth auth() {
        return auth;
    }

    /**
     * Not used: a Gemini translator needs the request's {@code include_usage} and the clock, which
     * {@link #newTranslator(Endpoint, boolean, RequestInfo, Clock)} has.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public @Nullable ResponseTranslator newTranslator(Endpoint endpoint, boolean stream) {
        throw new UnsupportedOperationException("a Gemini translator needs the request: use the four-argument form");
    }

    /** Speech answers are audio ({@link GeminiSpeechTranslator}), raw or WAV as the request body asks. */
    @Override
    public ResponseTranslator newTranslator(Endpoint endpoint, boolean stream, RequestInfo info, ByteBuf body,
            Clock clock) {
        if (endpoint == Endpoint.AUDIO_SPEECH) {
            return new GeminiSpeechTranslator(GeminiSpeech.wantsRawPcm(body), exceptionName);
        }
        if (endpoint == Endpoint.IMAGE_GENERATIONS) {
            return new ImagenTranslator(clock.millis() / 1000, exceptionName);
        }
        return newTranslator(endpoint, stream, info, clock);
    }

    @Override
    public ResponseTranslator newTranslator(Endpoint endpoint, boolean stream, RequestInfo info, Clock clock) {
        // A wildcard deployment's model is the one the client named, less its provider prefix.
        String requested = info.model();
        String reported = model.contains("*") && requested != null
                ? requested.substring(requested.indexOf('/') + 1) : model;
        return new GeminiTranslator(clock.millis() / 1000, reported, stream && info.includeUsage(), exceptionName,
                endpoint == Endpoint.EMBEDDINGS);
    }

    /** The model name inside a JSON string literal; model names need no unescaping beyond the quotes. */
    private static String modelName(byte[] json) {
        return new String(json, 1, Math.max(0, json.length - 2), StandardCharsets.UTF_8);
    }

    /** A path segment: encoded, but with {@code @} kept (Vertex AI's versioned model ids, as LiteLLM sends them). */
    private static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20").replace("%40", "@");
    }

    /**
     * What a Gemini deployment is made of besides its URL.
     *
     * @param vertex whether this is Vertex AI (error names, embeddings through :predict) rather than AI Studio
     * @param model the deployment's upstream model (reported when Gemini's answer names none; {@code *} for a
     *     wildcard deployment)
     * @param dropParams {@code drop_params} of the deployment, else of {@code litellm_settings}
     * @param additionalDropParams {@code additional_drop_params} of the deployment
     * @param auth the key header, or Vertex AI's token source
     */
    public record Settings(boolean vertex, String model, boolean dropParams, Set<String> additionalDropParams,
            UpstreamAuth auth) {

        public Settings {
            requireNonNull(model, "model");
            additionalDropParams = Set.copyOf(additionalDropParams);
            requireNonNull(auth, "auth");
        }
    }
}
