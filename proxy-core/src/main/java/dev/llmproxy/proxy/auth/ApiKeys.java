package dev.llmproxy.proxy.auth;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import org.jspecify.annotations.Nullable;

/** Finds the API key in a request's headers, in the places LiteLLM looks for it. */
public final class ApiKeys {
    private static final AsciiString X_API_KEY = AsciiString.cached("x-api-key");
    private static final AsciiString API_KEY = AsciiString.cached("api-key");
    private static final AsciiString X_GOOG_API_KEY = AsciiString.cached("x-goog-api-key");
    private static final AsciiString X_LITELLM_API_KEY = AsciiString.cached("x-litellm-api-key");
    private static final AsciiString[] OTHER_HEADERS = {X_LITELLM_API_KEY, X_API_KEY, API_KEY, X_GOOG_API_KEY};
    private static final String BEARER = "bearer";

    private ApiKeys() {}

    /**
     * The key presented with {@code Authorization: Bearer <key>} (scheme matched case-insensitively), or in
     * {@code x-litellm-api-key}, {@code x-api-key}, {@code api-key} or {@code x-goog-api-key}; null when none.
     */
    public static @Nullable String find(HttpHeaders headers) {
        String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (authorization != null) {
            // The decoder trims header values, so "Bearer " with an empty token arrives as "Bearer": that is the
            // scheme without a key, not a key named "Bearer".
            boolean bearer = authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
                    && (authorization.length() == BEARER.length()
                            || Character.isWhitespace(authorization.charAt(BEARER.length())));
            String key = (bearer ? authorization.substring(BEARER.length()) : authorization).trim();
            if (!key.isEmpty()) {
                return key;
            }
        }
        for (AsciiString name : OTHER_HEADERS) {
            String value = headers.get(name);
            if (value != null && !value.isBlank()) {
                return value.trim();
            }
        }
        return null;
    }
}
