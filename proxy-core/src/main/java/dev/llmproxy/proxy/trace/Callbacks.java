package dev.llmproxy.proxy.trace;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * LiteLLM's {@code callbacks}, {@code success_callback} and {@code failure_callback} lists sorted into what llmproxy
 * does with them: Prometheus metrics, trace backends (each told of successes, failures or both), and the names it does
 * not implement, which are reported at start-up rather than refused, so that a LiteLLM config keeps starting.
 *
 * <p>Thread-safety: immutable.
 */
public final class Callbacks {
    private final boolean prometheus;
    private final Map<TraceBackend, Outcomes> backends;
    private final List<String> unsupported;

    private Callbacks(boolean prometheus, Map<TraceBackend, Outcomes> backends, List<String> unsupported) {
        this.prometheus = prometheus;
        this.backends = backends;
        this.unsupported = unsupported;
    }

    /**
     * Sorts the three lists; names are compared without regard to case, as LiteLLM does.
     *
     * @param both {@code callbacks}
     * @param successes {@code success_callback}
     * @param failures {@code failure_callback}
     */
    public static Callbacks of(List<String> both, List<String> successes, List<String> failures) {
        boolean prometheus = false;
        Map<TraceBackend, Outcomes> backends = new EnumMap<>(TraceBackend.class);
        Set<String> unsupported = new LinkedHashSet<>();
        List<List<String>> lists = List.of(both, successes, failures);
        for (int i = 0; i < lists.size(); i++) {
            Outcomes outcomes = i == 0 ? Outcomes.BOTH : i == 1 ? Outcomes.SUCCESSES : Outcomes.FAILURES;
            for (String name : lists.get(i)) {
                String normalized = name.trim().toLowerCase(Locale.ROOT);
                TraceBackend backend = backendOf(normalized);
                if (backend != null) {
                    backends.merge(backend, outcomes, Outcomes::or);
                } else if (normalized.equals("prometheus")) {
                    prometheus = true;
                } else {
                    unsupported.add(name.trim());
                }
            }
        }
        return new Callbacks(prometheus, Collections.unmodifiableMap(backends),
                List.copyOf(new ArrayList<>(unsupported)));
    }

    /** Whether {@code prometheus} was named: metrics are recorded and {@code /metrics} served only then. */
    public boolean prometheus() {
        return prometheus;
    }

    /** The trace backends named, each with the outcomes it is told of. */
    public Map<TraceBackend, Outcomes> backends() {
        return backends;
    }

    /** The names llmproxy does not implement, as written, each once, in the order first seen. */
    public List<String> unsupported() {
        return unsupported;
    }

    private static @Nullable TraceBackend backendOf(String name) {
        return switch (name) {
            case "otel" -> TraceBackend.OTEL;
            case "mlflow" -> TraceBackend.MLFLOW;
            case "langfuse", "langfuse_otel" -> TraceBackend.LANGFUSE;
            default -> null;
        };
    }

    /**
     * Which requests a backend is told of.
     *
     * @param successes requests answered with a status below 400
     * @param failures the others
     */
    public record Outcomes(boolean successes, boolean failures) {
        /** Both kinds ({@code callbacks}). */
        public static final Outcomes BOTH = new Outcomes(true, true);
        /** Successes only ({@code success_callback}). */
        public static final Outcomes SUCCESSES = new Outcomes(true, false);
        /** Failures only ({@code failure_callback}). */
        public static final Outcomes FAILURES = new Outcomes(false, true);

        Outcomes or(Outcomes other) {
            return new Outcomes(successes || other.successes, failures || other.failures);
        }

        boolean includes(boolean success) {
            return success ? successes : failures;
        }
    }
}
