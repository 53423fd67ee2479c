package dev.llmproxy.proxy.trace;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.trace.Callbacks.Outcomes;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What the tracer exports, where, and how much it may hold back.
 *
 * @param serviceName the {@code service.name} resource attribute ({@code OTEL_SERVICE_NAME}; LiteLLM's default
 *     {@code litellm}, so that existing queries keep finding the proxy)
 * @param resource further resource attributes ({@code OTEL_RESOURCE_ATTRIBUTES}, {@code deployment.environment})
 * @param destinations one per trace backend
 * @param queueCapacity call records waiting for export per destination; beyond it records are dropped and counted
 * @param maxBatchRecords call records per export request at most
 * @param linger how long the exporter waits for more records before it sends a batch that is not full
 * @param exportTimeout how long one export may take before it is abandoned (its records are then counted as lost)
 * @param gzip whether exports are gzip-compressed ({@code OTEL_EXPORTER_OTLP_COMPRESSION=gzip}; off by default, as in
 *     the OpenTelemetry SDKs: compressing costs more CPU per request than the rest of the export)
 * @param warnings what the environment asked for that llmproxy does differently, to be logged at start-up
 */
public record TraceSettings(
        String serviceName,
        Map<String, String> resource,
        List<TraceDestination> destinations,
        int queueCapacity,
        int maxBatchRecords,
        Duration linger,
        Duration exportTimeout,
        boolean gzip,
        List<String> warnings) {

    /** LiteLLM's {@code OTEL_SERVICE_NAME} default. */
    public static final String DEFAULT_SERVICE_NAME = "litellm";
    /** Records held per destination while its collector is slow; about 1 KB each. */
    public static final int DEFAULT_QUEUE_CAPACITY = 8192;
    /** The OTel SDK's batch size. */
    public static final int DEFAULT_MAX_BATCH_RECORDS = 512;
    static final Duration DEFAULT_LINGER = Duration.ofMillis(500);
    static final Duration DEFAULT_EXPORT_TIMEOUT = Duration.ofSeconds(10);
    /** The OTLP/HTTP default when {@code otel} is named without an endpoint (the OpenTelemetry SDKs' default). */
    static final String DEFAULT_OTLP_ENDPOINT = "http://localhost:4318";
    static final String DEFAULT_LANGFUSE_HOST = "https://us.cloud.langfuse.com";
    static final String TRACES_PATH = "/v1/traces";
    /** The OTLP/gRPC port collectors listen on by default. */
    private static final int OTLP_GRPC_PORT = 4317;

    public TraceSettings {
        requireNonNull(serviceName, "serviceName");
        resource = Map.copyOf(resource);
        destinations = List.copyOf(destinations);
        if (queueCapacity <= 0) {
            throw new IllegalArgumentException("queueCapacity: " + queueCapacity + " (expected: > 0)");
        }
        if (maxBatchRecords <= 0) {
            throw new IllegalArgumentException("maxBatchRecords: " + maxBatchRecords + " (expected: > 0)");
        }
        requireNonNull(linger, "linger");
        if (exportTimeout.isNegative() || exportTimeout.isZero()) {
            throw new IllegalArgumentException("exportTimeout: " + exportTimeout + " (expected: > 0)");
        }
        warnings = List.copyOf(warnings);
    }

    /**
     * The settings for the trace backends named in {@code callbacks}, from the environment (the process's, overlaid
     * with the config's {@code environment_variables}).
     *
     * @throws IllegalArgumentException when a named backend lacks what it needs (MLflow's URI, Langfuse's keys) or a
     *     variable is malformed; the message names the variable
     */
    public static TraceSettings fromEnvironment(Callbacks callbacks, Map<String, String> env) {
        List<String> warnings = new ArrayList<>();
        List<TraceDestination> destinations = new ArrayList<>();
        callbacks.backends().forEach((backend, outcomes) -> destinations.add(switch (backend) {
            case OTEL -> otel(outcomes, env, warnings);
            case MLFLOW -> mlflow(outcomes, env);
            case LANGFUSE -> langfuse(outcomes, env);
        }));
        Map<String, String> resource = new LinkedHashMap<>(pairs(env, "OTEL_RESOURCE_ATTRIBUTES"));
        resource.putIfAbsent("deployment.environment", value(env, "production", "OTEL_ENVIRONMENT_NAME"));
        String compression = value(env, "none", "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION",
                "OTEL_EXPORTER_OTLP_COMPRESSION").toLowerCase(Locale.ROOT);
        if (!compression.equals("none") && !compression.equals("gzip")) {
            warnings.add("OTEL_EXPORTER_OTLP_COMPRESSION: '" + compression + "' is not supported (gzip or none); "
                    + "spans are sent uncompressed");
        }
        return new TraceSettings(value(env, DEFAULT_SERVICE_NAME, "OTEL_SERVICE_NAME"), resource, destinations,
                DEFAULT_QUEUE_CAPACITY, DEFAULT_MAX_BATCH_RECORDS, DEFAULT_LINGER, DEFAULT_EXPORT_TIMEOUT,
                compression.equals("gzip"), warnings);
    }

    /** The same settings with other queue and batch bounds (tests, tuning). */
    public TraceSettings withBounds(int queueCapacity, int maxBatchRecords, Duration linger, Duration exportTimeout) {
        return new TraceSettings(serviceName, resource, destinations, queueCapacity, maxBatchRecords, linger,
                exportTimeout, gzip, warnings);
    }

    /**
     * {@code otel}: the signal-specific endpoint as given, else the base endpoint with {@code /v1/traces} added (the
     * OTLP exporter rules); LiteLLM's {@code OTEL_ENDPOINT} and {@code OTEL_HEADERS} are read as aliases.
     */
    private static TraceDestination otel(Outcomes outcomes, Map<String, String> env, List<String> warnings) {
        String protocol = value(env, "", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL",
                "OTEL_EXPORTER").toLowerCase(Locale.ROOT);
        if (!protocol.isEmpty() && !protocol.equals("http/protobuf") && !protocol.equals("otlp_http")) {
            warnings.add("otel: the exporter protocol '" + protocol + "' is not supported; spans are sent as "
                    + "OTLP/HTTP protobuf (point the endpoint at the collector's HTTP port, usually 4318)");
        }
        String tracesEndpoint = value(env, "", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
        URI endpoint = tracesEndpoint.isEmpty()
                ? tracesUrl(value(env, DEFAULT_OTLP_ENDPOINT, "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_ENDPOINT"),
                        "OTEL_EXPORTER_OTLP_ENDPOINT")
                : url(tracesEndpoint, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
        if (endpoint.getPort() == OTLP_GRPC_PORT) {
            warnings.add("otel: " + endpoint.getHost() + ":" + OTLP_GRPC_PORT + " is the OTLP gRPC port; llmproxy "
                    + "sends OTLP/HTTP protobuf (collectors listen for it on 4318), so exports there will fail "
                    + "unless that port speaks HTTP");
        }
        Map<String, String> headers = pairs(env, "OTEL_EXPORTER_OTLP_TRACES_HEADERS");
        if (headers.isEmpty()) {
            headers = pairs(env, "OTEL_EXPORTER_OTLP_HEADERS");
        }
        if (headers.isEmpty()) {
            headers = pairs(env, "OTEL_HEADERS");
        }
        return new TraceDestination(TraceBackend.OTEL, endpoint, headers, outcomes);
    }

    /**
     * {@code mlflow}: MLflow 3.6+ accepts OTLP/HTTP at {@code <tracking URI>/v1/traces}, into the experiment named
     * by the {@code x-mlflow-experiment-id} header: {@code MLFLOW_EXPERIMENT_ID}, else the id of
     * {@code MLFLOW_EXPERIMENT_NAME} (looked up by the exporter), else 0.
     */
    private static TraceDestination mlflow(Outcomes outcomes, Map<String, String> env) {
        String tracking = value(env, "", "MLFLOW_TRACKING_URI");
        if (tracking.isEmpty()) {
            throw new IllegalArgumentException("the mlflow callback needs MLFLOW_TRACKING_URI, the http(s) URL of the "
                    + "MLflow tracking server (3.6 or later), e.g. http://mlflow:5000");
        }
        String experiment = value(env, "", "MLFLOW_EXPERIMENT_ID");
        String experimentName = value(env, "", "MLFLOW_EXPERIMENT_NAME");
        Map<String, String> headers = new LinkedHashMap<>();
        if (!experiment.isEmpty() || experimentName.isEmpty()) {
            // The id wins over the name, as in MLflow's client; neither is MLflow's default experiment.
            headers.put("x-mlflow-experiment-id", experiment.isEmpty() ? "0" : experiment);
        }
        String token = value(env, "", "MLFLOW_TRACKING_TOKEN");
        String user = value(env, "", "MLFLOW_TRACKING_USERNAME");
        if (!token.isEmpty()) {
            headers.put("authorization", "Bearer " + token);
        } else if (!user.isEmpty()) {
            headers.put("authorization", basic(user, value(env, "", "MLFLOW_TRACKING_PASSWORD")));
        }
        return new TraceDestination(TraceBackend.MLFLOW, tracesUrl(tracking, "MLFLOW_TRACKING_URI"), headers,
                outcomes, headers.containsKey("x-mlflow-experiment-id") ? null : experimentName);
    }

    /** {@code langfuse}/{@code langfuse_otel}: {@code <host>/api/public/otel/v1/traces} with Basic auth. */
    private static TraceDestination langfuse(Outcomes outcomes, Map<String, String> env) {
        String publicKey = value(env, "", "LANGFUSE_PUBLIC_KEY");
        String secretKey = value(env, "", "LANGFUSE_SECRET_KEY");
        if (publicKey.isEmpty() || secretKey.isEmpty()) {
            throw new IllegalArgumentException("the langfuse callback needs LANGFUSE_PUBLIC_KEY and "
                    + "LANGFUSE_SECRET_KEY (and LANGFUSE_HOST unless you use Langfuse Cloud US)");
        }
        String host = value(env, DEFAULT_LANGFUSE_HOST, "LANGFUSE_OTEL_HOST", "LANGFUSE_HOST");
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("authorization", basic(publicKey, secretKey));
        // Langfuse's real-time ingestion path for OTLP spans (Langfuse v4; older servers ignore the header).
        headers.put("x-langfuse-ingestion-version", "4");
        return new TraceDestination(TraceBackend.LANGFUSE, tracesUrl(stripSlash(host) + "/api/public/otel",
                "LANGFUSE_HOST"), headers, outcomes);
    }

    private static URI tracesUrl(String base, String variable) {
        String trimmed = stripSlash(base.trim());
        return url(trimmed.endsWith(TRACES_PATH) ? trimmed : trimmed + TRACES_PATH, variable);
    }

    private static URI url(String text, String variable) {
        URI uri;
        try {
            uri = URI.create(text.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(variable + ": not a URL: " + text, e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new IllegalArgumentException(variable + ": expected an http:// or https:// URL, got " + text);
        }
        return uri;
    }

    private static String stripSlash(String text) {
        String result = text;
        while (result.endsWith("/")) {
            result = result.substring(0, result.length() - 1);
        }
        return result;
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ':' + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The first of {@code names} that is set and not blank, else {@code fallback}. */
    private static String value(Map<String, String> env, String fallback, String... names) {
        for (String name : names) {
            @Nullable String value = env.get(name);
            if (value != null && !value.isBlank()) {
                return value.trim();
            }
        }
        return fallback;
    }

    /** {@code key=value,key2=value2} with URL-encoded values (the OTLP exporter's header and resource format). */
    private static Map<String, String> pairs(Map<String, String> env, String name) {
        String text = value(env, "", name);
        Map<String, String> pairs = new LinkedHashMap<>();
        if (text.isEmpty()) {
            return pairs;
        }
        String[] items = text.split(",");
        for (int i = 0; i < items.length; i++) {
            String item = items[i];
            if (item.isBlank()) {
                continue;
            }
            int eq = item.indexOf('=');
            if (eq <= 0) {
                // The item is not echoed: it may be a credential written without its key.
                throw new IllegalArgumentException(name + ": expected key=value pairs separated by commas; item "
                        + (i + 1) + " has no key= part");
            }
            pairs.put(item.substring(0, eq).trim(),
                    URLDecoder.decode(item.substring(eq + 1).trim(), StandardCharsets.UTF_8));
        }
        return pairs;
    }
}
