package dev.llmproxy.proxy.trace;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.trace.Callbacks.Outcomes;
import java.net.URI;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * One OTLP/HTTP endpoint that traces are exported to.
 *
 * @param backend the callback that asked for it
 * @param endpoint the full URL spans are posted to ({@code .../v1/traces})
 * @param headers sent with every export (credentials among them: never logged)
 * @param outcomes which requests are traced
 * @param mlflowExperimentName an MLflow experiment whose id the exporter looks up (and creates) before its first
 *     export, into the {@code x-mlflow-experiment-id} header; null when the headers are complete
 */
public record TraceDestination(TraceBackend backend, URI endpoint, Map<String, String> headers, Outcomes outcomes,
        @Nullable String mlflowExperimentName) {

    public TraceDestination {
        requireNonNull(backend, "backend");
        requireNonNull(endpoint, "endpoint");
        headers = Map.copyOf(headers);
        requireNonNull(outcomes, "outcomes");
    }

    /** A destination whose headers are complete. */
    public TraceDestination(TraceBackend backend, URI endpoint, Map<String, String> headers, Outcomes outcomes) {
        this(backend, endpoint, headers, outcomes, null);
    }

    /** Names the headers but not their values, which may be credentials. */
    @Override
    public String toString() {
        return backend.callbackName() + " -> " + endpoint + " (headers: " + new TreeSet<>(headers.keySet())
                + ')';
    }
}
