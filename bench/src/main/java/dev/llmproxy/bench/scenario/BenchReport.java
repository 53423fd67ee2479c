package dev.llmproxy.bench.scenario;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A finished benchmark: where it ran, how it was set up, what it measured and how that compares with the targets.
 *
 * @param startedAt ISO-8601 start time
 * @param machine machine facts (cores, CPU, kernel, JVM), in display order
 * @param setup run settings (targets, JVM options, pinning, durations), in display order
 * @param proxyName the proxy's label in the tables, e.g. {@code llmproxy}
 * @param proxyPeakRssBytes the proxy's VmHWM at the end of the run; null if unknown
 * @param nginxPeakRssBytes the nginx worker's VmHWM at the end of the run; null if unknown or nginx did not run
 */
public record BenchReport(
        String startedAt,
        Map<String, String> machine,
        Map<String, String> setup,
        ScenarioResults results,
        String proxyName,
        @Nullable Long proxyPeakRssBytes,
        @Nullable Long nginxPeakRssBytes,
        List<TargetCheck> checks) {

    /** Copies the maps (keeping their order) and the list. */
    public BenchReport {
        requireNonNull(startedAt, "startedAt");
        requireNonNull(results, "results");
        requireNonNull(proxyName, "proxyName");
        machine = Collections.unmodifiableMap(new LinkedHashMap<>(machine));
        setup = Collections.unmodifiableMap(new LinkedHashMap<>(setup));
        checks = List.copyOf(checks);
    }
}
