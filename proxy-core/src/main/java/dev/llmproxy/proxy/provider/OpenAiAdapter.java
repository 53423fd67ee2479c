package dev.llmproxy.proxy.provider;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.json.DropParams;
import dev.llmproxy.codec.json.RequestInfo;
import dev.llmproxy.codec.json.RequestRewriter;
import dev.llmproxy.codec.json.RequestScanner;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The OpenAI wire format, spoken by OpenAI and every OpenAI-compatible provider, and by Azure OpenAI with its own URL
 * layout ({@code /openai/deployments/<model>/...?api-version=}). Requests are forwarded byte for byte except the
 * {@code model} value (and {@code stream_options.include_usage}, asked for so that streamed usage can be tracked);
 * responses are relayed untouched. Thread-safety: immutable.
 */
public final class OpenAiAdapter implements ProviderAdapter {

    private final BaseUrl baseUrl;
    private final UrlStyle urlStyle;
    private final @Nullable String apiVersion;
    private final UpstreamAuth auth;
    private final Set<String> additionalDropParams;

    /**
     * @param baseUrl where the provider's endpoints hang
     * @param urlStyle plain OpenAI paths, or Azure's deployment paths
     * @param apiVersion Azure's {@code api-version} query value, or {@code null}
     * @param auth the provider key's header, or {@link UpstreamAuth#NONE}
     */
    public OpenAiAdapter(BaseUrl baseUrl, UrlStyle urlStyle, @Nullable String apiVersion, UpstreamAuth auth) {
        this(baseUrl, urlStyle, apiVersion, auth, Set.of());
    }

    /**
     * @param additionalDropParams the deployment's {@code additional_drop_params}: top-level parameters removed from
     *     every request
     */
    public OpenAiAdapter(BaseUrl baseUrl, UrlStyle urlStyle, @Nullable String apiVersion, UpstreamAuth auth,
            Set<String> additionalDropParams) {
        this.baseUrl = requireNonNull(baseUrl, "baseUrl");
        this.urlStyle = requireNonNull(urlStyle, "urlStyle");
        this.apiVersion = apiVersion;
        this.auth = requireNonNull(auth, "auth");
        this.additionalDropParams = Set.copyOf(additionalDropParams);
    }

    @Override
    public String requestPath(String upstreamModel, Endpoint endpoint, boolean stream) {
        String base = baseUrl.basePath();
        return switch (urlStyle) {
            case AZURE -> {
                if (endpoint == Endpoint.RESPONSES) {
                    // Azure serves the Responses API once per resource, the deployment named by the body's model.
                    String path = base + "/openai" + endpoint.path();
                    yield apiVersion == null ? path : path + "?api-version=" + encodeQuery(apiVersion);
                }
                String path = base + "/openai/deployments/" + encodeSegment(upstreamModel) + endpoint.path();
                yield apiVersion == null ? path : path + "?api-version=" + encodeQuery(apiVersion);
            }
            case OPENAI -> base + endpoint.path();
        };
    }

    /**
     * The path and query of an account-level API (OpenAI's files and batches, which belong to the account or Azure
     * resource rather than to a model), e.g. {@code /v1/files/file-abc/content}, or Azure's
     * {@code /openai/files/file-abc/content?api-version=...}.
     *
     * @param path starting with {@code /}, e.g. {@code /files}; already encoded
     * @param query the client's query string to pass on (without {@code ?}), or null
     */
    public String accountPath(String path, @Nullable String query) {
        String base = baseUrl.basePath();
        StringBuilder out = new StringBuilder(base.length() + path.length() + 48).append(base);
        if (urlStyle == UrlStyle.AZURE) {
            out.append("/openai");
        }
        out.append(path);
        char separator = '?';
        if (urlStyle == UrlStyle.AZURE && apiVersion != null) {
            out.append(separator).append("api-version=").append(encodeQuery(apiVersion));
            separator = '&';
        }
        if (query != null && !query.isEmpty()) {
            out.append(separator).append(query);
        }
        return out.toString();
    }

    @Override
    public boolean asksForStreamUsage(Endpoint endpoint, RequestInfo info) {
        // The Responses API reports usage in its final event unasked, and has no include_usage to ask with.
        return info.stream() && (endpoint == Endpoint.CHAT_COMPLETIONS || endpoint == Endpoint.COMPLETIONS)
                && !info.hasStreamOptions();
    }

    /**
     * The client's body with the model replaced; LiteLLM's {@code drop_params} and {@code additional_drop_params}
     * (and the parameters they name, or the deployment's {@code additional_drop_params} names) removed first, on a
     * slower path taken only when there is something to remove. OpenAI-compatible providers take every OpenAI
     * parameter, so {@code drop_params} itself has nothing more to drop.
     */
    @Override
    public ByteBuf encodeRequest(
            ByteBufAllocator alloc, ByteBuf body, RequestInfo info, byte[] upstreamModelJson, boolean askForUsage) {
        if (!info.hasDropParams() && additionalDropParams.isEmpty()) {
            return RequestRewriter.rewrite(alloc, body, info, upstreamModelJson, askForUsage);
        }
        ByteBuf stripped = DropParams.strip(alloc, body, additionalDropParams);
        try {
            return RequestRewriter.rewrite(alloc, stripped, RequestScanner.scan(stripped), upstreamModelJson,
                    askForUsage);
        } finally {
            stripped.release();
        }
    }

    @Override
    public UpstreamAuth auth() {
        return auth;
    }

    @Override
    public @Nullable ResponseTranslator newTranslator(Endpoint endpoint, boolean stream) {
        return null;
    }

    private static String encodeSegment(String segment) {
        // URLEncoder writes the form encoding, where a space is '+'; in a path segment it must be %20.
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String encodeQuery(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
