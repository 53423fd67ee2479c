package dev.llmproxy.proxy.provider;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What llmproxy knows of one LiteLLM provider prefix ({@code openai}, {@code azure}, {@code lm_studio}...): whether it
 * can be called yet, its default base URL, the environment variables LiteLLM reads for its key, base and version, and
 * how the key is sent. Thread-safety: immutable.
 *
 * @param name the prefix in {@code litellm_params.model}
 * @param supported whether llmproxy speaks this provider's API yet; requests to an unsupported provider are answered
 *     with a 400 error, but configs naming it load
 * @param urlStyle how request URLs are built
 * @param defaultApiBase the base URL when neither {@code api_base} nor an {@link #apiBaseEnv()} variable is set, or
 *     {@code null} when the provider has none (a local server that must be configured)
 * @param apiBaseEnv environment variables read for the base URL, first set one wins
 * @param apiKeyEnv environment variables read for the key, first set one wins
 * @param apiVersionEnv environment variables read for the API version (Azure), first set one wins
 * @param defaultApiVersion the API version when none is configured, or {@code null}
 * @param basePathSuffix appended to the base URL unless it already ends with it (Ollama's OpenAI-compatible API lives
 *     under {@code /v1}); empty for most providers
 * @param authHeaderName the request header that carries the key, lower case ({@code authorization}, {@code api-key})
 * @param authValuePrefix put before the key in that header ({@code "Bearer "} or empty)
 */
public record ProviderSpec(
        String name,
        boolean supported,
        UrlStyle urlStyle,
        @Nullable String defaultApiBase,
        List<String> apiBaseEnv,
        List<String> apiKeyEnv,
        List<String> apiVersionEnv,
        @Nullable String defaultApiVersion,
        String basePathSuffix,
        String authHeaderName,
        String authValuePrefix) {

    public ProviderSpec {
        requireNonNull(name, "name");
        requireNonNull(urlStyle, "urlStyle");
        apiBaseEnv = List.copyOf(apiBaseEnv);
        apiKeyEnv = List.copyOf(apiKeyEnv);
        apiVersionEnv = List.copyOf(apiVersionEnv);
        requireNonNull(basePathSuffix, "basePathSuffix");
        requireNonNull(authHeaderName, "authHeaderName");
        requireNonNull(authValuePrefix, "authValuePrefix");
    }
}
