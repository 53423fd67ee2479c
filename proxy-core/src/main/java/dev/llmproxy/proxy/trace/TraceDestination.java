package dev.llmproxy.proxy.trace;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.trace.Callbacks.Outcomes;
import java.net.URI;
import java.util.Map;
import java.util.TreeSet;

/**
 * One OTLP/HTTP endpoint that traces are exported to.
 *
 * @param backend the callback that asked for it
 * @param endpoint the full URL spans are posted to ({@code .../v1/traces})
 * @param headers sent with every export (credentials among them: never logged)
 * @param outcomes which requests are traced
 */
public record TraceDestination(TraceBackend backend, URI endpoint, Map<String, String> headers, Outcomes outcomes) {

    public TraceDestination {
        requireNonNull(backend, "backend");
        requireNonNull(endpoint, "endpoint");
        headers = Map.copyOf(headers);
        requireNonNull(outcomes, "outcomes");
    }

    /** Names the headers but not their values, which may be credentials. */
    @Override
    public String toString() {
        return backend.callbackName() + " -> " + endpoint + " (headers: " + new TreeSet<>(headers.keySet())
                + ')';
    }
}
