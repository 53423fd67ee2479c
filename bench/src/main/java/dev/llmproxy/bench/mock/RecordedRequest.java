package dev.llmproxy.bench.mock;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpHeaders;
import org.jspecify.annotations.Nullable;

/**
 * A request as the mock received it, kept when {@link MockProviderConfig#recordRequests()} is on.
 *
 * <p>Thread-safety: the record is immutable in practice: {@code headers} is a private copy that nothing else
 * references; treat it as read-only.
 *
 * @param method HTTP method, e.g. {@code POST}
 * @param uri request target as sent, with query string
 * @param headers copy of the request headers (case-insensitive names, repeated names kept)
 * @param body request body decoded as UTF-8 ({@code ""} when there was none)
 */
public record RecordedRequest(String method, String uri, HttpHeaders headers, String body) {

    /** Checks that no component is null. */
    public RecordedRequest {
        requireNonNull(method, "method");
        requireNonNull(uri, "uri");
        requireNonNull(headers, "headers");
        requireNonNull(body, "body");
    }

    /** Returns the first value of the named header (case-insensitive), or {@code null} when absent. */
    public @Nullable String header(String name) {
        return headers.get(name);
    }

    /** Returns the path part of {@link #uri()}, without the query string. */
    public String path() {
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }
}
