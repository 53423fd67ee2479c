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
    /** OpenAI's Responses API; bridged to chat completions for providers without it. */
    RESPONSES("/responses"),
    /** Text to speech: the answer is audio bytes, relayed as they arrive (translated whole for Gemini's TTS models). */
    AUDIO_SPEECH("/audio/speech"),
    IMAGE_GENERATIONS("/images/generations"),
    MODERATIONS("/moderations"),
    /** Cohere's rerank API, which LiteLLM serves for Cohere, Jina AI, Voyage AI and OpenAI-compatible servers. */
    RERANK("/rerank");

    private final String path;

    Endpoint(String path) {
        this.path = path;
    }

    /** The endpoint whose path a deployment is called on for this one: chat completions for {@link #MESSAGES}. */
    public Endpoint upstream() {
        return this == MESSAGES ? CHAT_COMPLETIONS : this;
    }

    /** The path appended to the base URL, starting with {@code /}. */
    public String path() {
        return path;
    }
}
