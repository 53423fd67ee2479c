package dev.llmproxy.proxy.provider;

/** The OpenAI-format endpoints a deployment is called on, with their path relative to the provider's base URL. */
public enum Endpoint {
    CHAT_COMPLETIONS("/chat/completions"),
    COMPLETIONS("/completions"),
    EMBEDDINGS("/embeddings"),
    /** OpenAI's Responses API; bridged to chat completions for providers without it. */
    RESPONSES("/responses");

    private final String path;

    Endpoint(String path) {
        this.path = path;
    }

    /** The path appended to the base URL, starting with {@code /}. */
    public String path() {
        return path;
    }
}
