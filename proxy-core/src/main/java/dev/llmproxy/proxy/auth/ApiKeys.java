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
        KeyRegion region = new KeyRegion();
        return locate(headers, region) ? region.key() : null;
    }

    /**
     * Finds the key as {@link #find} does, without allocating: on success {@code region} holds the header value and
     * the key's bounds within it.
     *
     * @return whether a key was presented
     */
    public static boolean locate(HttpHeaders headers, KeyRegion region) {
        String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (authorization != null) {
            // The decoder trims header values, so "Bearer " with an empty token arrives as "Bearer": that is the
            // scheme without a key, not a key named "Bearer".
            boolean bearer = authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
                    && (authorization.length() == BEARER.length()
                            || Character.isWhitespace(authorization.charAt(BEARER.length())));
            if (region.trim(authorization, bearer ? BEARER.length() : 0)) {
                return true;
            }
        }
        for (AsciiString name : OTHER_HEADERS) {
            String value = headers.get(name);
            if (value != null && region.trim(value, 0)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Where a presented key is: a header value and the key's bounds within it. Mutable and reusable, so the hot path
     * allocates nothing; not thread-safe.
     */
    public static final class KeyRegion {
        private String value = "";
        private int start;
        private int end;

        /** The header value holding the key. */
        public String value() {
            return value;
        }

        /** Where the key starts in {@link #value()}. */
        public int start() {
            return start;
        }

        /** Where the key ends (exclusive) in {@link #value()}. */
        public int end() {
            return end;
        }

        /** Whether the key starts with {@code prefix}. */
        public boolean startsWith(String prefix) {
            return end - start >= prefix.length() && value.startsWith(prefix, start);
        }

        /** The key as a string (allocates). */
        public String key() {
            return value.substring(start, end);
        }

        private boolean trim(String candidate, int from) {
            int s = from;
            int e = candidate.length();
            while (s < e && Character.isWhitespace(candidate.charAt(s))) {
                s++;
            }
            while (e > s && Character.isWhitespace(candidate.charAt(e - 1))) {
                e--;
            }
            if (s == e) {
                return false;
            }
            value = candidate;
            start = s;
            end = e;
            return true;
        }
    }
}
