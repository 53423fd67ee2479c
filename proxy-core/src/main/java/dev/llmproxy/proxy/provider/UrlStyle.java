package dev.llmproxy.proxy.provider;

/** How a provider lays out request URLs. */
public enum UrlStyle {
    /** {@code <api_base><endpoint path>}, e.g. {@code https://api.openai.com/v1/chat/completions}. */
    OPENAI,
    /**
     * {@code <api_base>/openai/deployments/<upstream model><endpoint path>?api-version=<api_version>}, the Azure
     * OpenAI layout.
     */
    AZURE
}
