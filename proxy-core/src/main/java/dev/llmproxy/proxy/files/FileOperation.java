package dev.llmproxy.proxy.files;

import dev.llmproxy.proxy.provider.Endpoint;
import io.netty.handler.codec.http.HttpMethod;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * The operations of OpenAI's Files and Batch APIs, with the endpoint each is recorded as, and how a request path maps
 * to them ({@code /v1/files}, {@code /files}, {@code /v1/batches}, {@code /batches} and their sub-paths).
 */
public enum FileOperation {
    CREATE_FILE(HttpMethod.POST, Endpoint.CREATE_FILE, false),
    LIST_FILES(HttpMethod.GET, Endpoint.LIST_FILES, false),
    RETRIEVE_FILE(HttpMethod.GET, Endpoint.RETRIEVE_FILE, false),
    FILE_CONTENT(HttpMethod.GET, Endpoint.FILE_CONTENT, false),
    DELETE_FILE(HttpMethod.DELETE, Endpoint.DELETE_FILE, false),
    CREATE_BATCH(HttpMethod.POST, Endpoint.CREATE_BATCH, true),
    LIST_BATCHES(HttpMethod.GET, Endpoint.LIST_BATCHES, true),
    RETRIEVE_BATCH(HttpMethod.GET, Endpoint.RETRIEVE_BATCH, true),
    CANCEL_BATCH(HttpMethod.POST, Endpoint.CANCEL_BATCH, true);

    private final HttpMethod method;
    private final Endpoint endpoint;
    private final boolean batch;

    FileOperation(HttpMethod method, Endpoint endpoint, boolean batch) {
        this.method = method;
        this.endpoint = endpoint;
        this.batch = batch;
    }

    /** The operation's HTTP method. */
    public HttpMethod method() {
        return method;
    }

    /** The endpoint the operation's {@code CallRecord} names (which gives LiteLLM's {@code call_type}). */
    public Endpoint endpoint() {
        return endpoint;
    }

    /** Whether the operation is on batches (its ids are batch ids). */
    public boolean isBatch() {
        return batch;
    }

    /** Whether the operation names a file or batch by id. */
    public boolean hasId() {
        return this != CREATE_FILE && this != LIST_FILES && this != CREATE_BATCH && this != LIST_BATCHES;
    }

    /**
     * A request path's operation and id.
     *
     * @param operation what the path asks for with {@code method}, or null when {@code method} is not allowed there
     * @param id the file or batch id in the path (decoded), or null
     * @param allowed the methods the path takes, for a 405's {@code Allow} header
     */
    public record Parsed(@Nullable FileOperation operation, @Nullable String id, String allowed) {}

    /** Whether {@code path} (no query, no trailing slash) is one of the Files or Batch API's paths. */
    public static boolean isPath(String path) {
        return path.equals("/v1/files") || path.equals("/files") || path.startsWith("/v1/files/")
                || path.startsWith("/files/") || path.equals("/v1/batches") || path.equals("/batches")
                || path.startsWith("/v1/batches/") || path.startsWith("/batches/");
    }

    /** The operation {@code method} asks for on {@code path}, or null when the path is not one of these APIs'. */
    public static @Nullable Parsed parse(HttpMethod method, String path) {
        String rest = path.startsWith("/v1/") ? path.substring(3) : path;
        boolean batches = rest.startsWith("/batches");
        String base = batches ? "/batches" : "/files";
        if (!rest.startsWith(base)) {
            return null;
        }
        String tail = rest.substring(base.length());
        if (tail.isEmpty()) {
            return batches
                    ? pick(method, "GET, POST", HttpMethod.GET, LIST_BATCHES, HttpMethod.POST, CREATE_BATCH, null)
                    : pick(method, "GET, POST", HttpMethod.GET, LIST_FILES, HttpMethod.POST, CREATE_FILE, null);
        }
        if (!tail.startsWith("/") || tail.length() == 1) {
            return null;
        }
        String id = tail.substring(1);
        String suffix = batches ? "/cancel" : "/content";
        if (id.endsWith(suffix) && id.length() > suffix.length()) {
            String owner = decode(id.substring(0, id.length() - suffix.length()));
            return batches
                    ? pick(method, "POST", HttpMethod.POST, CANCEL_BATCH, null, null, owner)
                    : pick(method, "GET", HttpMethod.GET, FILE_CONTENT, null, null, owner);
        }
        if (id.indexOf('/') >= 0) {
            return null;
        }
        return batches
                ? pick(method, "GET", HttpMethod.GET, RETRIEVE_BATCH, null, null, decode(id))
                : pick(method, "GET, DELETE", HttpMethod.GET, RETRIEVE_FILE, HttpMethod.DELETE, DELETE_FILE,
                        decode(id));
    }

    private static Parsed pick(HttpMethod method, String allowed, HttpMethod first, FileOperation firstOperation,
            @Nullable HttpMethod second, @Nullable FileOperation secondOperation, @Nullable String id) {
        FileOperation operation = method.equals(first) ? firstOperation
                : second != null && method.equals(second) ? secondOperation : null;
        return new Parsed(operation, id, allowed);
    }

    private static String decode(String segment) {
        return segment.indexOf('%') < 0
                ? segment
                : URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
