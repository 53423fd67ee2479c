package dev.llmproxy.proxy.trace;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Finds the id of the MLflow experiment named by {@code MLFLOW_EXPERIMENT_NAME} through MLflow's REST API
 * ({@code GET /api/2.0/mlflow/experiments/get-by-name}), creating it when it does not exist
 * ({@code POST /api/2.0/mlflow/experiments/create}), as the MLflow client LiteLLM uses does; the OTLP endpoint only
 * takes an id ({@code x-mlflow-experiment-id}).
 *
 * <p>Thread-safety: {@link #resolve} blocks for up to the timeout per call; it runs on a trace exporter thread, never
 * on an event loop.
 */
final class MlflowExperiments {
    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final String API = "/api/2.0/mlflow/experiments/";

    private final HttpClient client;
    private final URI trackingUri;
    private final Map<String, String> headers;
    private final Duration timeout;

    /**
     * @param trackingUri the tracking server's base URL ({@code MLFLOW_TRACKING_URI}), without a trailing slash
     * @param headers sent with each call (the tracking server's credentials)
     */
    MlflowExperiments(URI trackingUri, Map<String, String> headers, Duration timeout) {
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
        this.trackingUri = trackingUri;
        this.headers = Map.copyOf(headers);
        this.timeout = timeout;
    }

    /**
     * The id of the experiment {@code name}, created if there is none.
     *
     * @throws IOException when the tracking server cannot be reached or answers something else than MLflow's API
     * @throws InterruptedException when the thread is interrupted while waiting
     */
    String resolve(String name) throws IOException, InterruptedException {
        HttpResponse<String> found = client.send(request(API + "get-by-name?experiment_name="
                + URLEncoder.encode(name, StandardCharsets.UTF_8)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (found.statusCode() == 200) {
            return required(field(found.body(), "experiment_id"), found);
        }
        if (found.statusCode() != 404) {
            throw new IOException("get-by-name answered " + found.statusCode());
        }
        String create = "{\"name\":" + quoted(name) + "}";
        HttpResponse<String> created = client.send(request(API + "create")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(create)).build(), HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 200) {
            throw new IOException("create answered " + created.statusCode());
        }
        return required(field(created.body(), "experiment_id"), created);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(trackingUri + path)).timeout(timeout);
        headers.forEach(builder::header);
        return builder;
    }

    private static String required(@Nullable String id, HttpResponse<String> response) throws IOException {
        if (id == null || id.isEmpty()) {
            throw new IOException("no experiment_id in the answer to " + response.uri().getPath());
        }
        return id;
    }

    /** The first string (or number) member {@code name} at any depth of {@code body}, or null. */
    static @Nullable String field(String body, String name) throws IOException {
        try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), body)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token == JsonToken.PROPERTY_NAME && parser.currentName().equals(name)) {
                    JsonToken value = parser.nextToken();
                    return value == JsonToken.VALUE_STRING || value == JsonToken.VALUE_NUMBER_INT
                            ? parser.getString()
                            : null;
                }
            }
            return null;
        } catch (JacksonException e) {
            throw new IOException("not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** {@code text} as a JSON string literal. */
    private static String quoted(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
