package dev.llmproxy.proxy.call;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Copies a provider's response headers to the client's response as LiteLLM does: the headers an OpenAI client reads
 * keep their names ({@code content-type}, {@code retry-after}, {@code x-ratelimit-*}, {@code x-request-id}, ...); every
 * other provider header ({@code server}, {@code access-control-allow-origin}, {@code cf-ray}, {@code openai-*}) is
 * passed as {@code llm_provider-<name>}, so it cannot be mistaken for the gateway's own. Hop-by-hop headers (RFC 9110
 * section 7.6.1) and the headers the provider's {@code Connection} header names are dropped, as are cookies, which
 * belong to the proxy's session with the provider, and the framing headers the proxy sets itself.
 *
 * <p>Prefixed names repeat from response to response, so they are kept in a small per-thread cache instead of being
 * built for every header. Thread-safety: stateless apart from that per-thread cache.
 */
final class ProviderHeaders {
    static final String PREFIX = "llm_provider-";
    private static final int MAX_CACHED_NAMES = 512;

    private static final Set<AsciiString> DROPPED = Set.of(
            HttpHeaderNames.CONNECTION,
            HttpHeaderNames.KEEP_ALIVE,
            HttpHeaderNames.PROXY_CONNECTION,
            HttpHeaderNames.TRANSFER_ENCODING,
            HttpHeaderNames.TE,
            HttpHeaderNames.TRAILER,
            HttpHeaderNames.UPGRADE,
            HttpHeaderNames.PROXY_AUTHENTICATE,
            HttpHeaderNames.CONTENT_LENGTH,
            HttpHeaderNames.SET_COOKIE);

    private static final Set<AsciiString> KEPT = Set.of(
            HttpHeaderNames.CONTENT_TYPE,
            HttpHeaderNames.CONTENT_ENCODING,
            HttpHeaderNames.CACHE_CONTROL,
            HttpHeaderNames.RETRY_AFTER,
            AsciiString.cached("retry-after-ms"),
            AsciiString.cached("x-request-id"));

    private static final AsciiString RATE_LIMIT_PREFIX = AsciiString.cached("x-ratelimit-");

    private static final FastThreadLocal<Map<AsciiString, AsciiString>> PREFIXED = new FastThreadLocal<>() {
        @Override
        protected Map<AsciiString, AsciiString> initialValue() {
            return new HashMap<>();
        }
    };

    private ProviderHeaders() {}

    /** Adds {@code from}'s headers to {@code to} under the rules above. */
    static void copy(HttpHeaders from, HttpHeaders to) {
        String connection = from.get(HttpHeaderNames.CONNECTION);
        Iterator<Map.Entry<CharSequence, CharSequence>> headers = from.iteratorCharSequence();
        while (headers.hasNext()) {
            Map.Entry<CharSequence, CharSequence> header = headers.next();
            AsciiString name = AsciiString.of(header.getKey()).toLowerCase();
            if (DROPPED.contains(name) || connection != null && namedIn(connection, name)) {
                continue;
            }
            if (KEPT.contains(name) || name.startsWith(RATE_LIMIT_PREFIX)) {
                to.add(name, header.getValue());
            } else {
                to.add(prefixed(name), header.getValue());
            }
        }
    }

    /** Whether the comma-separated {@code connection} header value lists {@code name} (case-insensitive). */
    private static boolean namedIn(String connection, AsciiString name) {
        int start = 0;
        while (start <= connection.length()) {
            int comma = connection.indexOf(',', start);
            int end = comma < 0 ? connection.length() : comma;
            String token = connection.substring(start, end).trim();
            if (name.contentEqualsIgnoreCase(token)) {
                return true;
            }
            if (comma < 0) {
                return false;
            }
            start = comma + 1;
        }
        return false;
    }

    private static AsciiString prefixed(AsciiString name) {
        Map<AsciiString, AsciiString> cache = PREFIXED.get();
        AsciiString prefixed = cache.get(name);
        if (prefixed == null) {
            prefixed = AsciiString.of(PREFIX + name);
            if (cache.size() < MAX_CACHED_NAMES) {
                cache.put(name, prefixed);
            }
        }
        return prefixed;
    }
}
