package dev.llmproxy.bench.scenario;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.bench.load.ProcessStats;
import dev.llmproxy.bench.load.RequestTemplate;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One proxy feature whose cost the {@link Scenario#FEATURES} scenario measures, in the same run as the
 * {@code baseline} feature it is compared with (e.g. a group of four deployments against a single one, a virtual key
 * against the master key, tracing on against off).
 *
 * @param name short name in the report, e.g. {@code group4}
 * @param description what the feature's requests exercise
 * @param kind whether it is measured with requests at a constant rate or with concurrent streams
 * @param request what is sent: a chat completion request, a streamed one, or a rotating set of them
 * @param process the proxy process its CPU time is charged to; null if unknown
 * @param baseline the name of the feature it is compared with; null for a baseline
 * @param direct for streams through the proxy: the name of the feature that is the same upstream stream straight
 *     from the mock, so that what the proxy adds can be told from what the upstream does; null if none
 * @param maxCpuRatio the goal for its CPU per request over the baseline's (e.g. 1.05); null for no such goal
 * @param expectRateLimited whether its limits are meant to bite: 429s are expected and are not failures
 * @param counters read before and after each measured window, the differences reported per second (e.g. the
 *     database's commits and spend rows); null for none
 */
public record Feature(String name, String description, Kind kind, RequestTemplate request,
        @Nullable ProcessStats process, @Nullable String baseline, @Nullable String direct,
        @Nullable Double maxCpuRatio, boolean expectRateLimited, @Nullable Supplier<Map<String, Double>> counters) {

    /** How a feature is measured. */
    public enum Kind {
        /** Non-streamed requests at the constant feature rate: CPU per request, latency, statuses. */
        REQUESTS,
        /** Concurrent streams: first chunk, pacing (unbuffered share), errors. */
        STREAMS
    }

    /** Validates the feature. */
    public Feature {
        requireNonNull(name, "name");
        requireNonNull(description, "description");
        requireNonNull(kind, "kind");
        requireNonNull(request, "request");
    }

    /** A feature measured with requests, with no counters. */
    static Feature requests(String name, String description, RequestTemplate request, @Nullable ProcessStats process,
            @Nullable String baseline, @Nullable Double maxCpuRatio) {
        return new Feature(name, description, Kind.REQUESTS, request, process, baseline, null, maxCpuRatio, false,
                null);
    }

    /** A feature measured with concurrent streams. */
    static Feature streams(String name, String description, RequestTemplate request, @Nullable ProcessStats process,
            @Nullable String baseline, @Nullable String direct) {
        return new Feature(name, description, Kind.STREAMS, request, process, baseline, direct, null, false, null);
    }
}
