package dev.llmproxy.proxy.provider;

/** The OpenAI-format endpoints a deployment is called on, with their path relative to the provider's base URL. */
public enum Endpoint {
    CHAT_COMPLETIONS("/chat/completions"),
    COMPLETIONS("/completions"),
    EMBEDDINGS("/embeddings"),
    /**
     * Anthropic's Messages API as clients call it on the gateway ({@code /v1/messages}). Sent to a deployment as it is
     * when the deployment speaks it (Anthropic, Claude on Vertex AI), else translated into a chat completion: so the
     * deployment's own path is its chat completions path ({@link #upstream()}).
     */
    MESSAGES("/v1/messages"),
    /**
     * Anthropic's token counting ({@code /v1/messages/count_tokens}): relayed to deployments that speak the Messages
     * API, estimated by the proxy for every other (no provider call).
     */
    MESSAGES_COUNT_TOKENS("/v1/messages/count_tokens"),
    /** OpenAI's Responses API; bridged to chat completions for providers without it. */
    RESPONSES("/responses"),
    /** Speech to text: a {@code multipart/form-data} upload, streamed through ({@link #isUpload()}). */
    AUDIO_TRANSCRIPTIONS("/audio/transcriptions"),
    /** Speech to English text: an upload like {@link #AUDIO_TRANSCRIPTIONS}. */
    AUDIO_TRANSLATIONS("/audio/translations"),
    /** An image edited after a prompt: an upload. */
    IMAGES_EDITS("/images/edits"),
    /** Variations of an image: an upload. */
    IMAGES_VARIATIONS("/images/variations"),
    /** Text to speech: the answer is audio bytes, relayed as they arrive (translated whole for Gemini's TTS models). */
    AUDIO_SPEECH("/audio/speech"),
    IMAGE_GENERATIONS("/images/generations"),
    MODERATIONS("/moderations"),
    /** Cohere's rerank API, which LiteLLM serves for Cohere, Jina AI, Voyage AI and OpenAI-compatible servers. */
    RERANK("/rerank"),
    /**
     * A pass-through route ({@code general_settings.pass_through_endpoints}, {@code /openai/*}, {@code /anthropic/*},
     * ...): the request is forwarded as it is to a URL of its own, never to a deployment's endpoint path.
     */
    PASS_THROUGH("/"),
    /** OpenAI's Files API, relayed by the {@code files} package like the Batch API: an upload. */
    CREATE_FILE("/files", true),
    LIST_FILES("/files", true),
    RETRIEVE_FILE("/files/{file_id}", true),
    FILE_CONTENT("/files/{file_id}/content", true),
    DELETE_FILE("/files/{file_id}", true),
    /** OpenAI's Batch API: a batch created from an uploaded file. */
    CREATE_BATCH("/batches", true),
    LIST_BATCHES("/batches", true),
    RETRIEVE_BATCH("/batches/{batch_id}", true),
    CANCEL_BATCH("/batches/{batch_id}/cancel", true);

    private final String path;
    private final boolean fileApi;

    Endpoint(String path) {
        this(path, false);
    }

    Endpoint(String path, boolean fileApi) {
        this.path = path;
        this.fileApi = fileApi;
    }

    /** The endpoint whose path a deployment is called on for this one: chat completions for {@link #MESSAGES}. */
    public Endpoint upstream() {
        return this == MESSAGES ? CHAT_COMPLETIONS : this;
    }

    /**
     * Whether requests to this endpoint are {@code multipart/form-data} uploads, whose bodies are streamed to the
     * deployment as they arrive rather than collected first (only the {@code model} field is read and rewritten).
     */
    public boolean isUpload() {
        return this == AUDIO_TRANSCRIPTIONS || this == AUDIO_TRANSLATIONS || this == IMAGES_EDITS
                || this == IMAGES_VARIATIONS;
    }

    /**
     * Whether this is an operation of the Files or Batch API: relayed to the deployment a file or batch lives on, never
     * a model call, so it has no model path on a deployment ({@link #path()} is the route's template, for labels).
     */
    public boolean isFileApi() {
        return fileApi;
    }

    /** The path appended to the base URL, starting with {@code /}. */
    public String path() {
        return path;
    }
}
